"""Canonical, hashable keys for input objects, so identical updates can be recognised."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) not in (None, strawberry.UNSET)
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def canonical_key(value: object) -> str:
    """Equal for inputs that would send the same request; absent and null fields are alike."""
    return type(value).__name__ + json.dumps(_plain(value), sort_keys=True, default=str)
