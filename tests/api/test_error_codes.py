"""Every GraphQL error carries `extensions.code`; unexpected failures never show Python text."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from inboxgraph.config import load_settings
from inboxgraph.resolvers import queries
from tests.support import app_client, graphql


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ providers { provider ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
        (
            'mutation { updateConversation(input: {puffle: {id: "x"}, ebay: {conversationId: "1", conversationType: FROM_EBAY, read: true}}) { __typename } }',
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            'mutation($n: SafeInt) { updateConversation(input: {puffle: {id: "x", unreadCount: $n}}) { __typename } }',
            {"n": 2**53},
            "BAD_USER_INPUT",
        ),
        (
            "mutation($i: UpdateConversationInput!) { updateConversation(input: $i) { __typename } }",
            {"i": {}},
            "BAD_USER_INPUT",
        ),
        (
            "mutation($i: [UpdateConversationInput!]!) { updateConversations(inputs: $i) { __typename } }",
            {"i": [{"puffle": {"id": "x", "unreadCount": 1}}] * 101},
            "BAD_USER_INPUT",
        ),
    ],
    ids=[
        "parse",
        "unknown-field",
        "one-of-literal",
        "safe-int-variable",
        "one-of-variable",
        "too-many-inputs",
    ],
)
async def test_every_error_has_a_code(
    document: str, variables: dict[str, Any] | None, code: str
) -> None:
    settings = load_settings({"INBOXGRAPH_MAX_UPSTREAM_CALLS": "1000"})
    async with app_client(settings) as client:
        body = await graphql(client, document, variables)
    assert set(codes(body)) == {code}, body


async def test_an_unexpected_failure_is_an_internal_error_without_python_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**fields: Any) -> Any:
        raise KeyError("secret internals")

    monkeypatch.setattr(queries, "ProviderInfo", broken)
    caplog.set_level(logging.INFO)
    async with app_client() as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ providers { provider } }"},
            headers={"x-request-id": "r-500"},
        )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "internals" not in error["message"] and "KeyError" not in error["message"]
    assert "r-500" in error["message"]
    assert any(r.exc_info for r in caplog.records)  # the traceback is in the log, not the answer
