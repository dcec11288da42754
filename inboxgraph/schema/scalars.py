"""Custom scalars of the contract."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

MAX_SAFE_INTEGER = 2**53 - 1


def parse_safe_int(value: object) -> int:
    """Accept a JSON/GraphQL integer in -(2^53-1)..2^53-1; refuse anything else."""
    if isinstance(value, bool):
        raise ValueError(f"SafeInt cannot represent a boolean: {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"SafeInt cannot represent a non-integer value: {value!r}")
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise ValueError(f"SafeInt cannot represent {value}: it is outside -(2^53-1)..2^53-1")
    return value


SafeInt = NewType("SafeInt", int)

SAFE_INT_DEFINITION = strawberry.scalar(
    name="SafeInt",
    description="Integer in the range -(2^53-1)..2^53-1, serialized as a JSON number.",
    serialize=parse_safe_int,
    parse_value=parse_safe_int,
)

#: Give this to `StrawberryConfig(scalar_map=...)`.
SCALAR_MAP: dict[object, ScalarDefinition] = {SafeInt: SAFE_INT_DEFINITION}
