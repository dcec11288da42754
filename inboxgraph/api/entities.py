"""Checking `_entities` representations one by one, so a bad one fails only itself."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.inspect import get_func_args

BAD_USER_INPUT = "BAD_USER_INPUT"


def checked_representation(
    type_map: dict[str, Any], index: int, representation: object
) -> dict[str, Any] | GraphQLError:
    """The representation reduced to `__typename` and its key fields, or the error that
    says what is wrong with it."""
    where = f"representations[{index}]"
    if not isinstance(representation, dict):
        return _bad(f"{where} must be an object with __typename and the entity's key fields")
    typename = representation.get("__typename")
    if not isinstance(typename, str):
        return _bad(f"{where} has no __typename")
    resolve_reference = _reference_resolver(type_map, typename)
    if resolve_reference is None:
        entities = sorted(
            name for name in type_map if _reference_resolver(type_map, name) is not None
        )
        return _bad(
            f"{where}: {typename!r} is not an entity of this subgraph "
            f"(entities: {', '.join(entities)})"
        )
    keys = [name for name in get_func_args(resolve_reference) if name not in {"cls", "info"}]
    missing = [name for name in keys if name not in representation]
    if missing:
        return _bad(f"{where}: {typename} needs its key field(s) {', '.join(missing)}")
    return {"__typename": typename, **{name: representation[name] for name in keys}}


def _reference_resolver(type_map: dict[str, Any], typename: str) -> Any:
    concrete = type_map.get(typename)
    definition = getattr(concrete, "definition", None)
    if not isinstance(definition, StrawberryObjectDefinition):
        return None
    return getattr(definition.origin, "resolve_reference", None)


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT})
