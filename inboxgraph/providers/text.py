"""The one rule for text an update carries: it must be encodable to send at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

from inboxgraph.providers.errors import InvalidInput


def refuse_unsendable_text(prefix: str, update: Any) -> None:
    """InvalidInput naming the first text of `update` holding a lone surrogate (U+D800 to
    U+DFFF): no UTF-8 can carry it, in a URL path, a header or a JSON body. Field paths
    are the input's own (camelCase, after `prefix`)."""
    for path, text in _texts(update):
        if any(0xD800 <= ord(character) <= 0xDFFF for character in text):
            raise InvalidInput(
                f"{prefix}.{path}",
                "must be valid Unicode text: it holds a lone surrogate (U+D800..U+DFFF), "
                "which cannot be sent",
            )


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            name = _camel(field.name)
            yield from _texts(getattr(value, field.name), f"{path}.{name}" if path else name)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
