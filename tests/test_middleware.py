"""Incoming headers: the request id and the optional API token."""

from __future__ import annotations

import logging

import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.request_ids import RequestIdLogFilter
from tests.support import app_client

QUERY = {"query": "{ providers { provider } }"}


async def test_request_id_is_echoed(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/graphql", json=QUERY, headers={"x-request-id": "req-123"}
    )
    assert response.headers["x-request-id"] == "req-123"


@pytest.mark.parametrize(
    "incoming", [None, b"", b"has space", b"x" * 129, "\u00e9t\u00e9".encode()]
)
async def test_missing_or_unsafe_request_id_is_replaced(
    sandbox_client: httpx.AsyncClient, incoming: bytes | None
) -> None:
    headers = {} if incoming is None else {"x-request-id": incoming}
    response = await sandbox_client.post("/graphql", json=QUERY, headers=headers)
    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-request-id"].encode() != incoming


async def test_log_lines_carry_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="inboxgraph")
    caplog.handler.addFilter(RequestIdLogFilter())
    async with app_client() as client:
        await client.post(
            "/graphql",
            json={
                "query": 'mutation { updateConversation(input: {ebay: {conversationId: "1000000000001", conversationType: FROM_MEMBERS, read: true}}) { __typename } }'
            },
            headers={"x-request-id": "req-log-1"},
        )
    provider_lines = [r for r in caplog.records if r.name == "inboxgraph.providers"]
    assert provider_lines
    assert all(getattr(r, "request_id", None) == "req-log-1" for r in provider_lines)


async def test_api_token_is_required_when_configured() -> None:
    settings = load_settings({"INBOXGRAPH_API_TOKEN": "caller-secret-1"})
    async with app_client(settings) as client:
        missing = await client.post("/graphql", json=QUERY)
        wrong = await client.post("/graphql", json=QUERY, headers={"Authorization": "Bearer nope"})
        right = await client.post(
            "/graphql", json=QUERY, headers={"Authorization": "Bearer caller-secret-1"}
        )
        get_query = await client.get("/graphql", params=QUERY)
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        health = await client.get("/healthz")
    assert missing.status_code == wrong.status_code == get_query.status_code == 401
    assert missing.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "caller-secret-1" not in missing.text
    assert right.status_code == 200 and "errors" not in right.json()
    assert page.status_code == 200
    assert health.status_code == 200


async def test_without_api_token_authorization_is_ignored(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Bearer anything"}
    )
    assert response.status_code == 200
