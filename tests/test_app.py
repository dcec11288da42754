"""The HTTP surface: /graphql for browsers and clients, /healthz, /metrics, CORS."""

from __future__ import annotations

import logging

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from inboxgraph.config import load_settings
from tests.support import app_client, metric


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


async def test_metrics_are_served_in_prometheus_text_format(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await sandbox_client.post(
        "/graphql", json={"query": "query MetricsServed { providers { provider } }"}
    )
    response = await sandbox_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    served = (
        "inboxgraph_graphql_operations_total",
        (
            ("operation", "MetricsServed"),
            ("outcome", "ok"),
            ("tenant", "default"),
            ("type", "query"),
        ),
    )
    assert samples[served] == 1
    assert not [name for name, _ in samples if name.endswith("_created")]


async def test_metrics_answer_openmetrics_to_a_scraper_that_asks(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


async def test_http_requests_are_counted_by_route_and_status(
    sandbox_client: httpx.AsyncClient,
) -> None:
    def requests(route: str, status: str) -> float:
        return metric("inboxgraph_http_requests_total", route=route, status=status)

    before = {
        ("/healthz", "200"): requests("/healthz", "200"),
        ("other", "404"): requests("other", "404"),
        ("static", "200"): requests("static", "200"),
    }
    await sandbox_client.get("/healthz")
    await sandbox_client.get("/no/such/path/c0ffee")  # one label for every unknown path
    await sandbox_client.get("/graphql/static/playground.css")
    assert requests("/healthz", "200") == before["/healthz", "200"] + 1
    assert requests("other", "404") == before["other", "404"] + 1
    assert requests("static", "200") == before["static", "200"] + 1
