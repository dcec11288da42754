"""The domain's records and enums as JSON and back, so that an outcome kept outside the
process (in Redis) is answered later exactly as it was first.

Only the types defined in `DOMAIN_MODULES` are written or read: a record carries its class
name under `$type`, an enum member its name, a datetime its ISO text, a tuple its items.
`dumps` is canonical (sorted keys, no spaces): equal values give equal text, so its hash
fingerprints an input.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from types import ModuleType
from typing import Any

from inboxgraph.domain import (
    actions,
    ayrshare,
    ebay,
    highlevel,
    jobs,
    outcomes,
    provider,
    puffle,
    vcita,
)

#: Every module whose records and enums may be stored. A new provider's module is one line.
DOMAIN_MODULES: tuple[ModuleType, ...] = (
    provider,
    actions,
    outcomes,
    jobs,
    ayrshare,
    puffle,
    highlevel,
    vcita,
    ebay,
)

TYPE_KEY = "$type"

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


class CodecError(ValueError):
    """A value that is not a known domain value, or JSON that does not describe one."""


def _registry(modules: tuple[ModuleType, ...]) -> dict[str, type]:
    known: dict[str, type] = {}
    for module in modules:
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if not (is_dataclass(value) or issubclass(value, Enum)):
                continue
            if name in known:
                raise CodecError(f"two domain types are named {name}")
            known[name] = value
    return known


TYPES = _registry(DOMAIN_MODULES)


def encode(value: Any) -> Json:
    """`value` as JSON-ready data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {TYPE_KEY: "tuple", "items": [encode(item) for item in value]}
    if isinstance(value, datetime):
        return {TYPE_KEY: "datetime", "iso": value.isoformat()}
    name = type(value).__name__
    if TYPES.get(name) is not type(value):
        raise CodecError(f"{name} is not a domain type the codec knows")
    if isinstance(value, Enum):
        return {TYPE_KEY: name, "name": value.name}
    if not is_dataclass(value):
        raise CodecError(f"{name} is not a record")
    data: dict[str, Json] = {TYPE_KEY: name}
    for field in fields(value):
        data[field.name] = encode(getattr(value, field.name))
    return data


def decode(data: Json) -> Any:
    """The value `encode` made `data` from."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    name = data.get(TYPE_KEY)
    try:
        if name == "tuple":
            return tuple(decode(item) for item in _list(data["items"]))
        if name == "datetime":
            return datetime.fromisoformat(str(data["iso"]))
        cls = TYPES[str(name)]
        if issubclass(cls, Enum):
            return cls[str(data["name"])]
        values = {key: decode(value) for key, value in data.items() if key != TYPE_KEY}
        return cls(**values)
    except (KeyError, TypeError, ValueError) as error:
        raise CodecError(f"not a stored {name}: {error}") from None


def _list(data: Json) -> list[Json]:
    if not isinstance(data, list):
        raise TypeError("items must be a list")
    return data


def dumps(value: Any) -> str:
    """`value` as canonical JSON text."""
    return json.dumps(encode(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """The value `dumps` made `text` from."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CodecError(f"not JSON: {error}") from None
    return decode(data)


def fingerprint(value: Any) -> str:
    """A hash that two values share exactly when their canonical JSON is equal."""
    return hashlib.sha256(dumps(value).encode()).hexdigest()
