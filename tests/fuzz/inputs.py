"""`UpdateConversationInput` as the API sees it: its provider variants, the input field
paths an `InvalidInput` may name, and arbitrary JSON shaped like (or unlike) the input."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import graphql
from hypothesis import strategies as st
from strawberry.types.base import StrawberryObjectDefinition

from inboxgraph.api.schema import schema
from inboxgraph.domain.provider import Provider
from tests.fuzz.seeds import seeded_ids
from tests.fuzz.values import datetime_texts, huge_integers, safe_ints, wild_texts

UPDATE_INPUT = "UpdateConversationInput"
#: List positions a field path may carry (`recipients[2]`, `recipients.2`).
_POSITIONS = re.compile(r"\[\d+\]|\.\d+(?=\.|$)")


@cache
def graphql_schema() -> graphql.GraphQLSchema:
    """The schema as a client sees it, from introspection: unlike the executable schema's
    own types, it marks `@oneOf` inputs (`is_one_of`)."""
    introspection = graphql.graphql_sync(
        schema._schema, graphql.get_introspection_query(one_of=True)
    )
    assert introspection.data is not None, introspection.errors
    return graphql.build_client_schema(cast(graphql.IntrospectionQuery, introspection.data))


@cache
def update_variants() -> dict[Provider, tuple[str, graphql.GraphQLInputObjectType]]:
    """Per provider, its `UpdateConversationInput` key and that variant's input type."""
    one_of = graphql_schema().type_map[UPDATE_INPUT]
    assert isinstance(one_of, graphql.GraphQLInputObjectType)
    variants: dict[Provider, tuple[str, graphql.GraphQLInputObjectType]] = {}
    for key, field in one_of.fields.items():
        variant = graphql.get_named_type(field.type)
        assert isinstance(variant, graphql.GraphQLInputObjectType), variant
        definition = schema.get_type_by_name(variant.name)
        assert isinstance(definition, StrawberryObjectDefinition), variant.name
        provider = getattr(definition.origin, "provider", None)
        assert isinstance(provider, Provider), f"{variant.name} names no provider"
        variants[provider] = (key, variant)
    return variants


def field_paths(key: str, input_type: graphql.GraphQLInputObjectType) -> frozenset[str]:
    """`key` and the dotted path of every field below it (`highLevel.error.code`)."""
    paths = {key}
    for name, field in input_type.fields.items():
        nested = graphql.get_named_type(field.type)
        if isinstance(nested, graphql.GraphQLInputObjectType):
            paths |= field_paths(f"{key}.{name}", nested)
        else:
            paths.add(f"{key}.{name}")
    return frozenset(paths)


def names_an_input_field(provider: Provider, field: str | None) -> bool:
    """Whether `field` is the provider's variant or a field in it (list positions aside)."""
    if field is None:
        return False
    key, variant = update_variants()[provider]
    return _POSITIONS.sub("", field) in field_paths(key, variant)


def json_scalars() -> st.SearchStrategy[Any]:
    """Every JSON scalar Python's json module reads, NaN and Infinity included."""
    return st.one_of(st.none(), st.booleans(), huge_integers(), st.floats(), wild_texts())


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, objects with any keys."""
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(wild_texts(12), inner, max_size=4)
        ),
        max_leaves=10,
    )


def input_values(
    input_type: graphql.GraphQLInputType, ids: Sequence[str] = ()
) -> st.SearchStrategy[Any]:
    """JSON for a variable of `input_type`: mostly shaped like it all the way down, with
    hostile leaves (IDs often among `ids`), and sometimes anything at all."""
    return mostly(_typed(input_type, ids or seeded_ids()), json_values())


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` seven times in eight (shrinking towards it). Not `st.one_of(usual, usual,
    ..., rare)`, which drops the repeated branches and draws each half the time."""
    return st.integers(0, 7).flatmap(lambda pick: rare if pick == 7 else usual)


def _typed(input_type: graphql.GraphQLInputType, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    if isinstance(input_type, graphql.GraphQLNonNull):
        return _typed(input_type.of_type, ids)
    if isinstance(input_type, graphql.GraphQLList):
        item = _typed(input_type.of_type, ids)
        return st.one_of(st.lists(item, max_size=4), item)
    if isinstance(input_type, graphql.GraphQLInputObjectType):
        return _objects(input_type, ids)
    if isinstance(input_type, graphql.GraphQLEnumType):
        return mostly(st.sampled_from(list(input_type.values)), wild_texts(12))
    assert isinstance(input_type, graphql.GraphQLScalarType), input_type
    return _scalars(input_type.name, ids)


def _scalars(name: str, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    if name == "ID":
        return st.one_of(st.sampled_from(list(ids)), wild_texts(), huge_integers())
    if name == "String":
        return wild_texts()
    if name == "Boolean":
        return st.booleans()
    if name == "SafeInt":
        return mostly(st.integers(0, 2**53 - 1), safe_ints())
    if name == "Int":
        return safe_ints()
    if name == "Float":
        return st.floats()
    if name == "DateTime":
        return datetime_texts()
    return json_values()


def _objects(
    input_type: graphql.GraphQLInputObjectType, ids: Sequence[str]
) -> st.SearchStrategy[dict[str, Any]]:
    if input_type.is_one_of:
        return _one_of_objects(input_type)
    fields = {name: _typed(field.type, ids) for name, field in input_type.fields.items()}
    required = {
        name: values
        for name, values in fields.items()
        if graphql.is_required_input_field(input_type.fields[name])
    }
    optional = {name: values for name, values in fields.items() if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


def _one_of_objects(
    input_type: graphql.GraphQLInputObjectType,
) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly exactly one variant (its IDs from its provider's sandbox records when it
    is a provider's), sometimes none or several."""
    providers = {variant.name: provider for provider, (_, variant) in update_variants().items()}
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in input_type.fields.items():
        provider = providers.get(graphql.get_named_type(field.type).name)
        fields[name] = _typed(field.type, seeded_ids(provider) if provider else seeded_ids())
    one = st.one_of(*(st.fixed_dictionaries({name: values}) for name, values in fields.items()))
    return mostly(one, st.fixed_dictionaries({}, optional=fields))


def update_inputs() -> st.SearchStrategy[Any]:
    """JSON for one `UpdateConversationInput` variable."""
    one_of = graphql_schema().type_map[UPDATE_INPUT]
    assert isinstance(one_of, graphql.GraphQLInputObjectType)
    return input_values(graphql.GraphQLNonNull(one_of))
