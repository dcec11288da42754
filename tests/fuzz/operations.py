"""Generated GraphQL operations for every root field of the served schema.

schemathesis (through hypothesis-graphql) writes the operations from the server's own
introspection: positive ones (valid documents) and negative ones (one schema violation
each). Neither knows `@oneOf`, so a generated `UpdateConversationInput` or
`ConversationRef` usually names several providers (or none) and stops at validation.
`steer` fixes that for most operations, keeping one variant, and swaps some ids for the
sandbox's seeded ones, so generated updates and reads also reach the providers'
validation, the emulators and the success paths.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import graphql
import httpx
import schemathesis
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.schemas import GraphQLSchema

from tests.fuzz.literals import representations, value_node
from tests.fuzz.seeds import seeded_ids
from tests.fuzz.values import datetime_texts, safe_ints

#: How often a `@oneOf` input object is cut down to exactly one variant.
ONE_VARIANT_PROBABILITY = 0.85
#: How often a generated ID is replaced by an id the sandbox holds.
SEEDED_ID_PROBABILITY = 0.35


def load_schema(url: str) -> GraphQLSchema:
    """The served schema, from its introspection (which marks `@oneOf` inputs)."""
    query = graphql.get_introspection_query(one_of=True)
    response = httpx.post(url, json={"query": query}, timeout=30.0)
    response.raise_for_status()
    introspection: dict[str, Any] = response.json()["data"]
    return schemathesis.graphql.from_dict(introspection)


def root_operations(schema: GraphQLSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every query and mutation field, the federation fields (`_entities`, `_service`)
    included."""
    client_schema = schema.client_schema
    roots = [client_schema.query_type, client_schema.mutation_type]
    return [schema[root.name][name] for root in roots if root is not None for name in root.fields]


def register_scalars(client_schema: graphql.GraphQLSchema) -> None:
    """Tell schemathesis how to write the schema's own scalars (it knows the built-in ones)."""
    schemathesis.graphql.scalar("SafeInt", safe_ints().map(nodes.Int))
    schemathesis.graphql.scalar("DateTime", datetime_texts().map(nodes.String))
    schemathesis.graphql.scalar("_Any", representations(client_schema).map(value_node))


def operation_cases(schema: GraphQLSchema) -> st.SearchStrategy[Case[Any]]:
    """Positive and negative cases for every root field, steered towards the providers."""
    register_scalars(schema.client_schema)
    per_operation = [
        operation.as_strategy(generation_mode=mode)
        for operation in root_operations(schema)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    ids = seeded_ids()

    @st.composite
    def steered_cases(draw: st.DrawFn) -> Case[Any]:
        case = draw(st.one_of(per_operation))
        source = draw(st.randoms(use_true_random=True))
        if isinstance(case.body, str):
            case.body = steer(case.body, schema.client_schema, source, ids)
        return case

    return steered_cases()


def steer(
    document: str, schema: graphql.GraphQLSchema, source: random.Random, ids: Sequence[str]
) -> str:
    """`document` with most `@oneOf` objects cut to one variant and some IDs seeded."""
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLSyntaxError:
        return document
    type_info = graphql.TypeInfo(schema)
    steered = graphql.visit(
        parsed, graphql.TypeInfoVisitor(type_info, _Steer(type_info, source, ids))
    )
    return graphql.print_ast(steered)


class _Steer(graphql.Visitor):
    def __init__(
        self, type_info: graphql.TypeInfo, source: random.Random, ids: Sequence[str]
    ) -> None:
        super().__init__()
        self._type_info = type_info
        self._source = source
        self._ids = ids

    def _input_type(self) -> graphql.GraphQLNamedType | None:
        input_type = self._type_info.get_input_type()
        return None if input_type is None else graphql.get_named_type(input_type)

    def enter_object_value(self, node: graphql.ObjectValueNode, *_: Any) -> Any:
        input_type = self._input_type()
        if (
            not isinstance(input_type, graphql.GraphQLInputObjectType)
            or not input_type.is_one_of
            or not node.fields
            or self._source.random() >= ONE_VARIANT_PROBABILITY
        ):
            return None
        given = [f for f in node.fields if not isinstance(f.value, graphql.NullValueNode)]
        kept = self._source.choice(given or list(node.fields))
        return graphql.ObjectValueNode(fields=(kept,))

    def enter_string_value(self, node: graphql.StringValueNode, *_: Any) -> Any:
        return self._maybe_seeded()

    def enter_int_value(self, node: graphql.IntValueNode, *_: Any) -> Any:
        return self._maybe_seeded()

    def _maybe_seeded(self) -> graphql.StringValueNode | None:
        input_type = self._input_type()
        if input_type is not graphql.GraphQLID or self._source.random() >= SEEDED_ID_PROBABILITY:
            return None
        return graphql.StringValueNode(value=self._source.choice(self._ids))
