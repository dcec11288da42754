"""Limits that cost O(document): depth, aliases, fields, tokens and the upstream budget."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import get_introspection_query, parse, validate

from inboxgraph.api import limits
from inboxgraph.api.limits import document_limits_rule, upstream_calls
from inboxgraph.api.schema import build_schema
from inboxgraph.config import Limits, load_settings
from inboxgraph.upstreams import connect_upstreams
from tests.support import app_client, client_for, graphql, record_upstream, sandbox_settings

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one before it twice: 2^levels fields once expanded."""
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query Bomb {{ ...F{levels} }} " + " ".join(fragments)


def errors(document: str, limits: Limits | None = None) -> list[Any]:
    limits = limits or Limits()
    schema = build_schema(limits)
    return list(validate(schema._schema, parse(document), [document_limits_rule(limits)]))


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_nested_fragments_are_measured_once_each() -> None:
    started = time.perf_counter()
    [error] = errors(fragment_bomb(60))
    assert time.perf_counter() - started < 1.0  # 2^60 fields, measured in linear time
    assert error.extensions == {"code": limits.MAX_FIELDS_EXCEEDED}
    assert "'Bomb' selects more fields than 2000" in error.message


def test_each_limit_is_named_in_its_refusal() -> None:
    deep = '{ conversation(ref: {highLevel: {id: "c"}}) { ... on HighLevelConversation { message { id } } } }'
    assert errors(deep, Limits(max_depth=3)) == []
    [error] = errors(deep, Limits(max_depth=2))
    assert error.extensions == {"code": limits.MAX_DEPTH_EXCEEDED}
    assert "nests fields deeper than 2" in error.message
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }"
    [error] = errors(aliases)
    assert error.extensions == {"code": limits.MAX_ALIASES_EXCEEDED}
    assert errors(aliases, Limits(max_aliases=101)) == []


def test_graphiqls_introspection_query_fits_the_default_limits() -> None:
    assert errors(get_introspection_query(descriptions=True)) == []


async def test_a_document_over_the_token_limit_is_refused_while_parsing() -> None:
    settings = load_settings({"INBOXGRAPH_MAX_TOKENS": "50"})
    async with app_client(settings) as client:
        small = await graphql(client, "{ providers { provider } }")
        large = await graphql(client, "{ " + "__typename " * 60 + "}")
    assert "errors" not in small
    assert codes(large) == [limits.MAX_TOKENS_EXCEEDED]


async def test_introspection_can_be_switched_off() -> None:
    async with app_client(load_settings({"INBOXGRAPH_INTROSPECTION": "off"})) as client:
        refused = await graphql(client, "{ __schema { queryType { name } } }")
        served = await graphql(client, "{ _service { sdl } }")
    assert set(codes(refused)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "errors" not in served


async def test_the_limit_rule_runs_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    measured = 0
    original = limits._Measure.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal measured
        measured += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(limits._Measure, "__init__", counting)
    async with app_client() as client:
        for _ in range(3):
            await graphql(client, "{ providers { provider } }")
    assert measured == 1  # the validation cache hit twice


def update(count: int) -> dict[str, Any]:
    return {"inputs": [{"puffle": {"id": MINE, "unreadCount": n}} for n in range(count)]}


UPDATE_TWICE = """
mutation Twice($inputs: [UpdateConversationInput!]!) {
  a: updateConversations(inputs: $inputs) { __typename }
  b: updateConversations(inputs: $inputs) { __typename }
}
"""


async def test_aliases_cannot_multiply_the_upstream_budget() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        refused = await graphql(client, UPDATE_TWICE, update(51))
        served = await graphql(client, UPDATE_TWICE, update(50))
    assert codes(refused) == [limits.UPSTREAM_BUDGET_EXCEEDED]
    assert refused["data"] is None
    assert "INBOXGRAPH_MAX_UPSTREAM_CALLS" in refused["errors"][0]["message"]
    assert "errors" not in served
    assert len(sent) == 100  # the refused operation sent nothing


async def test_entity_representations_count_against_the_budget() -> None:
    representations = [{"__typename": "PuffleConversation", "id": MINE}] * 101
    async with app_client() as client:
        body = await graphql(
            client,
            "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
            {"r": representations},
        )
    assert codes(body) == [limits.UPSTREAM_BUDGET_EXCEEDED]


@pytest.mark.parametrize(
    ("document", "variables", "calls"),
    [
        ('mutation { updateConversation(input: {puffle: {id: "x"}}) { __typename } }', {}, 1),
        (
            'mutation { a: updateConversation(input: {puffle: {id: "x"}}) { __typename } b: updateConversation(input: {puffle: {id: "y"}}) { __typename } }',
            {},
            2,
        ),
        (
            "mutation($i: [UpdateConversationInput!]!) { updateConversations(inputs: $i) { __typename } }",
            {"i": [1, 2, 3]},
            3,
        ),
        (
            'mutation { updateConversations(inputs: [{puffle: {id: "x"}}, {puffle: {id: "y"}}]) { __typename } }',
            {},
            2,
        ),
        (
            'query { ...R ...R } fragment R on Query { conversation(ref: {puffle: {id: "x"}}) { __typename } }',
            {},
            2,
        ),
        (
            'query { ... on Query { conversations(refs: [{puffle: {id: "x"}}]) { __typename } } }',
            {},
            1,
        ),
        ("query { providers { provider } }", {}, 0),
    ],
)
def test_upstream_calls_are_counted_per_aliased_field(
    document: str, variables: dict[str, Any], calls: int
) -> None:
    assert upstream_calls(parse(document), None, variables, cap=1000) == calls


def test_the_count_saturates_without_exponential_work() -> None:
    document = fragment_bomb(200).replace(
        "__typename", 'conversation(ref: {puffle: {id: "x"}}) { __typename }', 1
    )
    started = time.perf_counter()
    assert upstream_calls(parse(document), None, {}, cap=101) == 101
    assert time.perf_counter() - started < 1.0
