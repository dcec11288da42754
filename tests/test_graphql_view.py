"""The GraphQL endpoint's refusals: JSON errors with a code and the request id, never a 500."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    "body", [b'"x"', b"5", b"null", b"[]", b'[{"query": "{__typename}"}]', b"true"]
)
async def test_a_body_that_is_not_a_json_object_is_a_400(
    sandbox_client: httpx.AsyncClient, body: bytes
) -> None:
    response = await sandbox_client.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "x-request-id": "bad-body-1"},
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "requestId": "bad-body-1"}
    assert "JSON object" in error["message"]


@pytest.mark.parametrize(
    ("content", "content_type", "told"),
    [
        (b"{not json", "application/json", "Unable to parse request body as JSON"),
        (b"query=1", "text/plain", "Unsupported content type"),
        (b'{"variables": {}}', "application/json", "No GraphQL query found in the request"),
        (b'{"query": 5}', "application/json", "`query` must be a string"),
        (b'{"query": "{a}", "variables": 3}', "application/json", "`variables` must be an object"),
    ],
)
async def test_malformed_requests_get_a_json_400(
    sandbox_client: httpx.AsyncClient, content: bytes, content_type: str, told: str
) -> None:
    response = await sandbox_client.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert told in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("{ providers { provider } }", 200),
        ("{ providers { provider ", 400),
        ("{ noSuchField }", 400),
    ],
)
async def test_the_graphql_response_media_type_has_its_status_codes(
    sandbox_client: httpx.AsyncClient, query: str, status: int
) -> None:
    response = await sandbox_client.post(
        "/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert ("data" in body) is (status == 200)


async def test_a_field_error_keeps_200_and_data(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/graphql",
        json={"query": '{ conversation(ref: {vcita: {uid: "89m2pnabgozdvd9f"}}) { __typename } }'},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"conversation": None}


async def test_plain_json_keeps_200_for_graphql_errors(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/graphql", json={"query": "{ noSuchField }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


async def test_the_root_leads_to_the_playground(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 307
    assert response.headers["location"] == "/graphql"
