"""Input values built by the planned builders are exactly what Strawberry builds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from graphql import coerce_input_value
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from inboxgraph.api.input_builders import InputBuilder
from inboxgraph.api.schema import build_schema
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.schema.refs import ConversationRef

SCHEMA = build_schema()

#: GraphQL values (as a client sends them) of every input type, with fields omitted,
#: explicit nulls, enums, custom scalars, lists and nested inputs.
UPDATES: list[dict[str, Any]] = [
    {"ayrshare": {"platform": "FACEBOOK", "conversationId": "c1", "status": "ARCHIVED"}},
    {
        "ayrshare": {
            "platform": "INSTAGRAM",
            "conversationId": "c2",
            "status": "ACTIVE",
            "profileKey": "pk",
        }
    },
    {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567"}},
    {"puffle": {"id": "p", "status": "ARCHIVED", "unreadCount": 3}},
    {"puffle": {"id": "p", "status": None, "unreadCount": None}},
    {"highLevel": {"messageId": "m", "status": "READ"}},
    {
        "highLevel": {
            "messageId": "m",
            "status": "FAILED",
            "error": {"code": "1", "type": "saas", "message": "no"},
            "emailMessageId": "e",
            "recipients": ["a@example.com", "b@example.com"],
        }
    },
    {"highLevel": {"messageId": "m", "status": "DELIVERED", "recipients": []}},
    {"vcita": {"uid": "u"}},
    {"vcita": {"uid": "u", "campaign": None, "sourceType": "web", "archived": True}},
    {
        "vcita": {
            "uid": "u",
            "followUp": True,
            "followUpDate": "2031-01-02T03:04:05+00:00",
            "followUpMessage": "call back",
            "completeFollowUp": False,
            "deleted": False,
        }
    },
    {"ebay": {"conversationId": "1", "conversationType": "FROM_MEMBERS"}},
    {
        "ebay": {
            "conversationId": "1",
            "conversationType": "FROM_EBAY",
            "conversationStatus": "ARCHIVE",
            "read": True,
        }
    },
]
REFS: list[dict[str, Any]] = [
    {"ayrshare": {"platform": "FACEBOOK", "id": "c1"}},
    {"puffle": {"id": "p"}},
    {"highLevel": {"id": "h"}},
    {"vcita": {"uid": "u"}},
    {"ebay": {"id": "1", "conversationType": "FROM_MEMBERS"}},
]


def input_definitions() -> Iterator[StrawberryObjectDefinition]:
    for concrete in SCHEMA.schema_converter.type_map.values():
        definition = concrete.definition
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_input:
            yield definition


def built(value: dict[str, Any], python_type: type, graphql_name: str) -> Any:
    graphql_type = SCHEMA._schema.get_type(graphql_name)
    assert graphql_type is not None
    coerced = coerce_input_value(value, graphql_type)  # type: ignore[arg-type]
    return convert_argument(
        coerced, python_type, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    )


def test_every_input_type_of_the_schema_has_a_builder() -> None:
    definitions = list(input_definitions())
    assert len(definitions) >= 10
    assert all(isinstance(d.from_input, InputBuilder) for d in definitions), [
        d.name for d in definitions if not isinstance(d.from_input, InputBuilder)
    ]


@pytest.mark.parametrize(
    ("value", "python_type", "graphql_name"),
    [
        *((value, UpdateConversationInput, "UpdateConversationInput") for value in UPDATES),
        *((value, ConversationRef, "ConversationRef") for value in REFS),
    ],
)
def test_a_value_is_built_as_strawberry_builds_it(
    value: dict[str, Any],
    python_type: type,
    graphql_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = built(value, python_type, graphql_name)
    for definition in input_definitions():
        monkeypatch.setattr(definition, "from_input", None)
    strawberrys = built(value, python_type, graphql_name)
    assert repr(ours) == repr(strawberrys)
    assert ours == strawberrys


def test_a_planned_builder_is_what_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for definition in input_definitions():
        builder = definition.from_input
        assert isinstance(builder, InputBuilder)

        def counting(cls: type, value: Any, context: Any, builder: InputBuilder = builder) -> Any:
            calls.append(cls.__name__)
            return builder(cls, value, context)

        monkeypatch.setattr(definition, "from_input", counting)
    built(UPDATES[6], UpdateConversationInput, "UpdateConversationInput")
    assert calls == [
        "UpdateConversationInput",
        "HighLevelMessageStatusUpdate",
        "HighLevelProviderErrorInput",
    ]


@strawberry.input
class Probe:
    name: str | None
    size: int = 3


def test_a_nullable_field_without_a_default_is_none_when_omitted() -> None:
    # As Strawberry does: graphql-core has checked every required field is given.
    context = InputContext(
        info=None, config=StrawberryConfig(), scalar_registry=DEFAULT_SCALAR_REGISTRY, path=()
    )
    build = InputBuilder(Probe.__strawberry_definition__)  # type: ignore[attr-defined]
    assert build(Probe, {}, context) == Probe(name=None)
    assert build(Probe, {"name": "n", "size": 4}, context) == Probe(name="n", size=4)
