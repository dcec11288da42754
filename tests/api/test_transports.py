"""A subscription sent as an HTTP request is refused before it runs (the websocket side:
tests/jobs/test_subscriptions.py)."""

from __future__ import annotations

from tests.support import app_client

SUBSCRIPTION = 'subscription { bulkJobProgress(id: "0123") { state } }'


async def test_a_subscription_over_http_is_refused_with_its_code() -> None:
    async with app_client() as client:
        plain = await client.post("/graphql", json={"query": SUBSCRIPTION})
        typed = await client.post(
            "/graphql",
            json={"query": SUBSCRIPTION},
            headers={"accept": "application/graphql-response+json"},
        )
    error = plain.json()["errors"][0]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "websocket" in error["message"]
    assert plain.json()["data"] is None
    # Nothing ran: a request error, which the GraphQL-over-HTTP media type answers with 400.
    assert typed.status_code == 400
