"""Callers of /graphql: bearer tokens decided on the request as the GraphQL layer parses it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers

from inboxgraph.auth import Authenticator
from inboxgraph.config import load_settings
from tests.support import app_client

QUERY = {"query": "{ providers { provider } }"}
OLD, NEW = "caller-secret-old-1", "caller-secret-new-2"


@pytest.fixture
async def guarded() -> Any:
    settings = load_settings({"INBOXGRAPH_API_TOKEN": f"{NEW}, {OLD}"})
    async with app_client(settings) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "target", "kwargs"),
    [
        ("GET", "/graphql?query=%7B__typename%7D", {}),
        # Percent-encoded key: Strawberry decodes it to `query` and would execute it.
        ("GET", "/graphql?%71uery=%7B__typename%7D", {}),
        ("GET", "/graphql?%71uery=%7B__typename%7D", {"headers": {"Accept": "text/html"}}),
        ("POST", "/graphql", {"json": QUERY}),
        (
            "POST",
            "/graphql",
            {"content": b"{__typename}", "headers": {"content-type": "application/graphql"}},
        ),
        ("POST", "/graphql", {"files": {"operations": (None, '{"query": "{__typename}"}')}}),
        ("GET", "/graphql", {"headers": {"Accept": "application/json"}}),
    ],
    ids=[
        "get",
        "get-encoded-key",
        "get-encoded-key-html",
        "post-json",
        "post-graphql",
        "multipart",
        "get-no-query",
    ],
)
async def test_every_way_to_reach_graphql_needs_a_token(
    guarded: httpx.AsyncClient, method: str, target: str, kwargs: dict[str, Any]
) -> None:
    response = await guarded.request(method, target, **kwargs)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer realm="inboxgraph"'
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def test_a_wrong_token_is_told_invalid(guarded: httpx.AsyncClient) -> None:
    response = await guarded.post(
        "/graphql", json=QUERY, headers={"Authorization": f"Bearer {OLD}x"}
    )
    assert response.status_code == 401
    assert (
        response.headers["www-authenticate"] == 'Bearer realm="inboxgraph", error="invalid_token"'
    )
    assert OLD not in response.text and NEW not in response.text


@pytest.mark.parametrize("token", [OLD, NEW])
async def test_every_configured_token_is_accepted_for_rotation(
    guarded: httpx.AsyncClient, token: str
) -> None:
    response = await guarded.post(
        "/graphql", json=QUERY, headers={"Authorization": f"bearer {token}"}
    )
    assert response.status_code == 200
    assert "errors" not in response.json()


async def test_the_playground_and_health_stay_open(guarded: httpx.AsyncClient) -> None:
    page = await guarded.get("/graphql", headers={"Accept": "text/html"})
    health = await guarded.get("/healthz")
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert health.status_code == 200


async def test_without_tokens_everyone_is_let_in(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/graphql", json=QUERY, headers={"Authorization": "Bearer anything"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic Y2FsbGVy", f"Token {NEW}", f"Bearer{NEW}"]
)
def test_malformed_authorization_is_refused(authorization: str) -> None:
    auth = Authenticator(load_settings({"INBOXGRAPH_API_TOKEN": NEW}))
    assert auth.caller(Headers({"authorization": authorization})) is None
