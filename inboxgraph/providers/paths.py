"""The one rule for an id that lands in a URL path segment."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from inboxgraph.providers.errors import InvalidInput

MAX_PATH_SEGMENT_LENGTH = 256
#: Characters that end or split a path segment (servers and proxies may decode %2F).
_FORBIDDEN = frozenset("/\\?#")


def path_segment(field: str, value: str) -> str:
    """`value` percent-encoded for one URL path segment, or `InvalidInput` naming `field`.

    Refused: empty or blank values, `.` and `..` (URL normalisation removes them, so
    they would address another resource), `/`, `\\`, `?`, `#`, control characters, and
    values over 256 characters.
    """
    if not value.strip():
        raise InvalidInput(field, "must not be empty or blank")
    if value in {".", ".."}:
        raise InvalidInput(field, f"{value!r} cannot be sent as a URL path segment")
    if len(value) > MAX_PATH_SEGMENT_LENGTH:
        raise InvalidInput(
            field, f"must be at most {MAX_PATH_SEGMENT_LENGTH} characters, got {len(value)}"
        )
    for character in value:
        if character in _FORBIDDEN or unicodedata.category(character) in {"Cc", "Cs"}:
            raise InvalidInput(
                field, f"must not contain {character!r} (it cannot travel in a URL path segment)"
            )
    return quote(value, safe="")
