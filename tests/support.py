"""Shared test helpers: GraphQL documents, app clients and settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client import REGISTRY

from inboxgraph.app import create_app
from inboxgraph.config import Settings, load_settings
from inboxgraph.domain.provider import Provider
from inboxgraph.upstreams import Upstreams, connect_upstreams

RESULT_FRAGMENT = """
fragment Result on UpdateConversationResult {
  __typename
  ... on ConversationUpdated {
    provider
    conversation {
      __typename
      ... on AyrshareConversation { platform id ayrshareStatus: status }
      ... on PuffleConversation {
        id status unreadCount channel participantName lastMessageAt updatedAt
      }
      ... on HighLevelConversation { id message { id status } }
      ... on VcitaConversation { uid archived spam businessUnread deleted }
      ... on EbayConversation { id conversationType conversationStatus read }
    }
  }
  ... on UpdateFailed {
    provider code message field providerStatus providerCode retryable mayHaveBeenApplied
  }
}
"""

UPDATE_ONE = (
    "mutation UpdateOne($input: UpdateConversationInput!) {"
    " updateConversation(input: $input) { ...Result } }" + RESULT_FRAGMENT
)
UPDATE_MANY = (
    "mutation UpdateMany($inputs: [UpdateConversationInput!]!) {"
    " updateConversations(inputs: $inputs) { ...Result } }" + RESULT_FRAGMENT
)

#: A credential per provider for live-mode tests; tests assert none ever leaks.
LIVE_TOKENS = {p: f"secret-{p.name.lower()}-token-9f8e7d6c" for p in Provider}


def sandbox_settings() -> Settings:
    return load_settings({})


def live_settings(**extra: str) -> Settings:
    env = {f"INBOXGRAPH_{p.name}_TOKEN": token for p, token in LIVE_TOKENS.items()}
    env.update(extra)
    return load_settings(env)


def app_client(
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A client for the whole ASGI app (schema, loaders, adapters, emulators)."""
    return client_for(connect_upstreams(settings or sandbox_settings(), transport=transport))


def client_for(upstreams: Upstreams) -> httpx.AsyncClient:
    app = create_app(upstreams=upstreams)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inboxgraph")


def record_upstream(upstreams: Upstreams) -> list[httpx.Request]:
    """Every request sent upstream (emulators included), in order."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    upstreams.http.event_hooks["request"].append(record)
    return sent


def mock_upstream(
    handler: Callable[[httpx.Request], httpx.Response],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A MockTransport that records every upstream request it answers."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(record), seen


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def update_one(client: httpx.AsyncClient, input: dict[str, Any]) -> dict[str, Any]:
    body = await graphql(client, UPDATE_ONE, {"input": input})
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["updateConversation"]
    return result


async def update_many(
    client: httpx.AsyncClient, inputs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    body = await graphql(client, UPDATE_MANY, {"inputs": inputs})
    assert "errors" not in body, body["errors"]
    results: list[dict[str, Any]] = body["data"]["updateConversations"]
    return results


def metric(name: str, **labels: str) -> float:
    """A sample of this process's metrics (0 when it has not been recorded yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
