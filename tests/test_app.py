"""The HTTP surface: /graphql for browsers and clients, /healthz, CORS."""

from __future__ import annotations

import logging

import httpx
import pytest

from inboxgraph.config import load_settings
from tests.support import app_client


async def test_healthz_reports_each_provider_mode() -> None:
    async with app_client(load_settings({"INBOXGRAPH_EBAY_TOKEN": "t"})) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "providers": {
            "AYRSHARE": "SANDBOX",
            "PUFFLE": "SANDBOX",
            "HIGHLEVEL": "SANDBOX",
            "VCITA": "SANDBOX",
            "EBAY": "LIVE",
        },
    }


async def test_browser_get_serves_graphiql(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_mutations_are_refused_over_get(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get(
        "/graphql",
        params={
            "query": 'mutation { updateConversation(input: {puffle: {id: "x"}}) { __typename } }'
        },
    )
    assert response.status_code == 400
    assert "GET" in response.text


async def test_providers_query_tells_the_mode(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/graphql", json={"query": "{ providers { provider mode } }"}
    )
    assert response.json()["data"]["providers"][0] == {"provider": "AYRSHARE", "mode": "SANDBOX"}


async def test_cors_preflight_for_configured_origins() -> None:
    settings = load_settings({"INBOXGRAPH_CORS_ORIGINS": "https://app.example"})
    async with app_client(settings) as client:
        allowed = await client.options(
            "/graphql",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        refused = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert refused.status_code == 400


async def test_oneof_violation_is_a_graphql_validation_error(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.post(
        "/graphql",
        json={
            "query": "mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { __typename } }",
            "variables": {
                "input": {
                    "puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "unreadCount": 1},
                    "ebay": {"conversationId": "1", "conversationType": "FROM_EBAY", "read": True},
                }
            },
        },
    )
    body = response.json()
    assert body.get("data") is None
    assert "exactly one" in body["errors"][0]["message"]


async def test_alias_fan_out_is_limited(sandbox_client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{i}: providers {{ mode }}" for i in range(101))
    response = await sandbox_client.post("/graphql", json={"query": f"{{ {aliases} }}"})
    assert "aliases" in response.json()["errors"][0]["message"]


async def test_a_callers_mistake_is_logged_as_one_line(
    sandbox_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sandbox_client.post("/graphql", json={"query": "{ noSuchField }"})
    [record] = [r for r in caplog.records if r.name == "inboxgraph.graphql"]
    assert "noSuchField" in record.getMessage()
    assert record.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
