"""Every HTTP request: a request id on answers and log lines, one log line of its own,
and a bounded body."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.observability.logs import JsonFormatter
from inboxgraph.request_scope import RequestIdLogFilter
from inboxgraph.secrets import Redactor
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
    headers: dict[bytes, bytes] = {} if incoming is None else {b"x-request-id": incoming}
    response = await sandbox_client.post("/graphql", json=QUERY, headers=headers)
    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-request-id"].encode() != incoming


async def test_log_lines_carry_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="inboxgraph")
    caplog.handler.addFilter(RequestIdLogFilter())
    async with app_client() as client:
        await client.post(
            "/graphql",
            json={
                "query": 'mutation { updateConversation(input: {ebay: {conversationId: "1000000000001", conversationType: FROM_MEMBERS, read: true}}) { __typename } }'
            },
            headers={"x-request-id": "req-log-1"},
        )
    lines = [r for r in caplog.records if r.name in {"inboxgraph.providers", "inboxgraph.requests"}]
    assert {r.name for r in lines} == {"inboxgraph.providers", "inboxgraph.requests"}
    assert all(getattr(r, "request_id", None) == "req-log-1" for r in lines)


async def test_a_declared_body_over_the_limit_is_refused_before_reading() -> None:
    settings = load_settings({"INBOXGRAPH_MAX_BODY_BYTES": "1000"})
    async with app_client(settings) as client:
        response = await client.post(
            "/graphql",
            content=b"{" + b" " * 2000 + b"}",
            headers={"content-type": "application/json", "x-request-id": "big-1"},
        )
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "MAX_BODY_BYTES_EXCEEDED", "requestId": "big-1"}


async def test_a_streamed_body_growing_past_the_limit_is_cut_off() -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b" " * 500

    settings = load_settings({"INBOXGRAPH_MAX_BODY_BYTES": "1000"})
    async with app_client(settings) as client:
        response = await client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_BODY_BYTES_EXCEEDED"
    assert sent < 10  # reading stopped as soon as the limit was passed


async def test_a_body_within_the_limit_is_served() -> None:
    settings = load_settings({"INBOXGRAPH_MAX_BODY_BYTES": "1000"})
    async with app_client(settings) as client:
        response = await client.post("/graphql", json=QUERY)
    assert response.status_code == 200
    assert "errors" not in response.json()


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "inboxgraph.requests"]


async def test_each_request_is_one_info_line_with_its_facts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="inboxgraph")
    caplog.handler.addFilter(RequestIdLogFilter())
    async with app_client() as client:
        await client.post(
            "/graphql?trace=query-string-c0ffee",
            json={"query": "query LoggedProviders { providers { provider } }"},
            headers={"x-request-id": "req-line-1"},
        )
    [line] = request_lines(caplog)
    assert line.levelno == logging.INFO
    assert line.__dict__["request_id"] == "req-line-1"
    fields = line.__dict__["fields"]
    assert fields.pop("duration_ms") >= 0
    assert fields == {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "operation": "LoggedProviders",
        "tenant": "default",
    }
    assert "c0ffee" not in line.getMessage()


async def test_a_refused_caller_has_no_tenant_and_no_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="inboxgraph")
    async with app_client(load_settings({"INBOXGRAPH_API_TOKEN": "right-token"})) as client:
        await client.post(
            "/graphql",
            json={"query": "query Refused { providers { provider } }"},
            headers={"Authorization": "Bearer wrong-token"},
        )
    [line] = request_lines(caplog)
    fields = line.__dict__["fields"]
    assert fields["status"] == 401
    assert "tenant" not in fields
    assert "operation" not in fields


async def test_a_body_refused_as_too_large_is_logged_with_its_status(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="inboxgraph")
    async with app_client(load_settings({"INBOXGRAPH_MAX_BODY_BYTES": "1000"})) as client:
        await client.post("/graphql", content=b"{" + b" " * 2000 + b"}")
    [line] = request_lines(caplog)
    assert line.__dict__["fields"]["status"] == 413


async def test_probes_and_scrapes_are_logged_at_debug_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="inboxgraph")
    async with app_client() as client:
        for path in ("/healthz", "/readyz", "/metrics"):
            await client.get(path)
    lines = request_lines(caplog)
    assert [r.__dict__["fields"]["path"] for r in lines] == ["/healthz", "/readyz", "/metrics"]
    assert {r.levelno for r in lines} == {logging.DEBUG}


async def test_the_line_tells_no_header_and_no_body(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="inboxgraph")
    async with app_client() as client:
        await client.post(
            "/graphql",
            json={
                "query": "query Quiet { providers { provider } }",
                "variables": {"v": "body-b0dy"},
            },
            headers={"Authorization": "Bearer header-h3ader", "x-other": "header-h3ader"},
        )
    formatter = JsonFormatter(Redactor([]))
    written = "\n".join(formatter.format(record) for record in caplog.records)
    assert "Quiet" in written
    assert "b0dy" not in written
    assert "h3ader" not in written
