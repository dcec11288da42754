"""Input objects built from their GraphQL values by a plan made once per type.

Strawberry converts an input value field by field, and for every field of every value
resolves the field's type, its GraphQL name and what kind of type it is: for a request
of 100 updates that is most of the CPU spent before the first provider call
(benchmarks/bulk.py). Strawberry lets a type build its own values (`from_input` on its
definition); each input type of the schema gets a builder that does the same work with
what does not change between values worked out on its first use: which fields carry a
scalar or an enum (used as they are, as Strawberry does), and the GraphQL name of each.
Any other field (a nested input, a list) is converted by Strawberry itself, which comes
back here for the input objects inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from typing import TYPE_CHECKING, Any

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

if TYPE_CHECKING:
    from strawberry import Schema
    from strawberry.types.scalar import ScalarDefinition, ScalarWrapper


@dataclass(frozen=True)
class FieldPlan:
    """How one field of an input type gets its value."""

    graphql_name: str
    python_name: str
    type: StrawberryType | type
    #: The GraphQL value is the Python value (a scalar or an enum, possibly nullable).
    as_is: bool


@dataclass(frozen=True)
class InputPlan:
    """An input type's fields, and the keyword arguments every value starts from."""

    fields: tuple[FieldPlan, ...]
    #: Fields without a default are None unless given (graphql-core has checked that every
    #: required field is), as Strawberry does.
    implicit_nones: Mapping[str, None]


def used_as_is(
    type_: StrawberryType | type, scalars: Mapping[object, ScalarWrapper | ScalarDefinition]
) -> bool:
    """Whether Strawberry would pass a value of this type through unchanged: a scalar
    (not a relay GlobalID, which it decodes) or an enum, or a nullable one (not a
    `Maybe`, which it wraps)."""
    if isinstance(type_, StrawberryMaybe):
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID:
        return False
    return (
        is_scalar(type_, scalars)
        or isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
    )


def plan_input(definition: StrawberryObjectDefinition, context: InputContext) -> InputPlan:
    """The plan of one input type, under the schema configuration `context` carries (every
    schema built here has the same)."""
    names = context.config.name_converter
    fields = tuple(
        FieldPlan(
            graphql_name=names.from_field(field),
            python_name=field.python_name,
            type=(field_type := field.resolve_type(type_definition=definition)),
            as_is=used_as_is(field_type, context.scalar_registry),
        )
        for field in definition.fields
    )
    implicit_nones = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }
    return InputPlan(fields, implicit_nones)


class InputBuilder:
    """`from_input` for one input type: the plan made on first use, then followed."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self._definition = definition
        self._plan: InputPlan | None = None

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        plan = self._plan
        if plan is None:
            plan = self._plan = plan_input(self._definition, context)
        arguments: dict[str, Any] = dict(plan.implicit_nones)
        for field in plan.fields:
            if field.graphql_name in value:
                given = value[field.graphql_name]
                arguments[field.python_name] = (
                    given if field.as_is else context.convert(given, field.type, field.graphql_name)
                )
        return cls(**arguments)


def install_input_builders(schema: Schema) -> None:
    """Give every input type of `schema` that builds its values the default way a planned
    builder. Called once the schema is built, so the defaults in its SDL are Strawberry's
    own; a type's definition is shared by every schema using it, so later schemas find
    its builder already there."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
            and not definition.is_graphql_generic
        ):
            definition.from_input = InputBuilder(definition)
