"""GraphQL literals for schemathesis' custom scalars: `_entities` representations and any
JSON value written as a literal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphql
from hypothesis import strategies as st

from tests.fuzz.seeds import seeded_ids


def representations(schema: graphql.GraphQLSchema) -> st.SearchStrategy[Any]:
    """`_entities` representations: each entity type with some of its fields (ids from the
    sandbox, enum values, junk), unknown type names, and arbitrary JSON."""
    entity_union = schema.type_map.get("_Entity")
    entity_types = (
        list(entity_union.types) if isinstance(entity_union, graphql.GraphQLUnionType) else []
    )
    ids = seeded_ids()
    typed = [
        st.fixed_dictionaries(
            {"__typename": st.just(entity.name)},
            optional={
                name: _field_values(field.type, ids) for name, field in entity.fields.items()
            },
        )
        for entity in entity_types
    ]
    junk_type = st.fixed_dictionaries(
        {"__typename": st.text(max_size=20)}, optional={"id": st.text(max_size=20)}
    )
    return st.one_of(*typed, junk_type, literal_json_values())


def _field_values(
    field_type: graphql.GraphQLOutputType, ids: Sequence[str]
) -> st.SearchStrategy[Any]:
    named = graphql.get_named_type(field_type)
    if isinstance(named, graphql.GraphQLEnumType):
        return st.one_of(st.sampled_from(list(named.values)), st.text(max_size=10))
    return st.one_of(st.sampled_from(list(ids)), st.text(max_size=30), st.integers(), st.none())


def literal_json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, object keys written as GraphQL names (they become literals)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
    )
    names = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,12}", fullmatch=True)
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(names, inner, max_size=4)
        ),
        max_leaves=12,
    )


def value_node(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(value_node(item) for item in value))
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=value_node(item))
            for key, item in value.items()
        )
    )
