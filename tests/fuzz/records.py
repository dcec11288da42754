"""Arbitrary provider update records, derived from the records' own field types.

Every field gets the nastiest values its type allows: strings with any code point
(controls, lone surrogates, separators, `.`/`..`, the sandbox's ids), integers of any
size and sign, datetimes from year 1 to 9999 with no offset or any offset up to a minute
short of a day, None, ABSENT. A field of a type not handled here fails the test, so a
new field is fuzzed as soon as it exists.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from hypothesis import strategies as st

from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.providers.base import ProviderAdapter
from tests.fuzz.values import huge_integers, odd_datetimes, wild_texts


def values_of(hint: Any) -> st.SearchStrategy[Any]:
    """Values of the type `hint` (a resolved annotation of a record field)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_of(member) for member in typing.get_args(hint)))
    if origin is tuple:
        item, _ellipsis = typing.get_args(hint)
        return st.lists(values_of(item), max_size=4).map(tuple)
    if hint is type(None):
        return st.none()
    if hint is str:
        return wild_texts()
    if hint is bool:
        return st.booleans()
    if hint is int:
        return huge_integers()
    if hint is datetime:
        return odd_datetimes()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return records_of(hint)
    raise TypeError(f"no strategy for a record field of type {hint!r}: add one to {__name__}")


def records_of(record_type: type[Any]) -> st.SearchStrategy[Any]:
    """Instances of a frozen record, each init field from `values_of` its type."""
    hints = typing.get_type_hints(record_type)
    fields = {f.name: values_of(hints[f.name]) for f in dataclasses.fields(record_type) if f.init}
    return st.builds(record_type, **fields)


def update_type_of(adapter: ProviderAdapter[Any, Any, Any]) -> type[ConversationUpdate]:
    """The update record an adapter takes (its first type parameter)."""
    for base in getattr(type(adapter), "__orig_bases__", ()):
        if typing.get_origin(base) is ProviderAdapter:
            update_type = typing.get_args(base)[0]
            assert isinstance(update_type, type) and issubclass(update_type, ConversationUpdate)
            return update_type
    raise TypeError(f"{type(adapter).__name__} does not name its update record")
