"""The one HTTP place: waits a provider asks for, answers too big to read, deadlines, and
what it tells of each call (metrics, a DEBUG line)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import httpx
import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.puffle import (
    PuffleConversation,
    PuffleConversationRef,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.providers.base import Fetch, UpstreamResponse
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.request_scope import current_deadline
from inboxgraph.secrets import Redactor, Secret
from tests.support import metric, mock_upstream

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
UPDATE = PuffleConversationUpdate(id=MINE, status=PuffleConversationStatus.ARCHIVED)
TOKEN = "client-test-token-1"
CONVERSATION = {
    "id": MINE,
    "status": "archived",
    "unread_count": 0,
    "channel": "linkedin",
    "updated_at": "2026-04-22T10:00:00Z",
}

PuffleClient = ProviderClient[PuffleConversationUpdate, PuffleConversation, PuffleConversationRef]


def puffle(
    handler: Callable[[httpx.Request], httpx.Response],
    adapter: PuffleAdapter | None = None,
    *,
    max_response_bytes: int = 1_048_576,
    tenant: str = "default",
) -> tuple[PuffleClient, list[httpx.Request]]:
    transport, seen = mock_upstream(handler)
    client = ProviderClient(
        adapter or PuffleAdapter(),
        httpx.AsyncClient(transport=transport),
        base_url="https://puffle.test",
        token=Secret(TOKEN),
        redactor=Redactor([TOKEN]),
        max_response_bytes=max_response_bytes,
        tenant=tenant,
    )
    return client, seen


async def failure(client: PuffleClient) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await client.update(UPDATE)
    return caught.value


async def test_a_429s_retry_after_holds_every_later_call_back() -> None:
    client, seen = puffle(lambda r: httpx.Response(429, headers={"Retry-After": "30"}, json={}))
    first = await failure(client)
    second = await failure(client)
    assert len(seen) == 1  # the second was never sent
    assert (first.code, first.retry_after) == (UpdateErrorCode.RATE_LIMITED, 30.0)
    assert second.code is UpdateErrorCode.RATE_LIMITED
    assert second.retry_after == pytest.approx(30.0, abs=1.0)
    assert "Puffle answered 429 and asked to wait 30 s" in second.message
    assert second.may_have_been_applied is False


async def test_a_429_without_retry_after_holds_the_next_call_back_a_moment() -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.monotonic())
        return httpx.Response(429, json={})

    client, _ = puffle(answer)
    await failure(client)
    await failure(client)  # a wait within the pacing wait is waited, then sent
    assert len(sent_at) == 2
    assert sent_at[1] - sent_at[0] >= 0.95


async def test_a_spent_budget_reported_by_the_provider_holds_calls_back() -> None:
    class Reporting(PuffleAdapter):
        def spent_budget_wait(self, response: UpstreamResponse) -> float | None:
            return 60.0 if response.header("x-left") == "0" else None

    client, seen = puffle(
        lambda r: httpx.Response(200, json={"conversation": CONVERSATION}, headers={"x-left": "0"}),
        adapter=Reporting(),
    )
    await client.update(UPDATE)
    refused = await failure(client)
    assert len(seen) == 1
    assert refused.code is UpdateErrorCode.RATE_LIMITED
    assert "Puffle reports its rate-limit budget spent" in refused.message


async def test_a_success_too_big_to_read_may_have_been_applied() -> None:
    client, _ = puffle(
        lambda r: httpx.Response(200, content=b"{" + b" " * 5000 + b"}"),
        max_response_bytes=1000,
    )
    error = await failure(client)
    assert (error.code, error.may_have_been_applied) == (UpdateErrorCode.UNCONFIRMED, True)


async def test_an_error_body_too_big_to_read_is_not_copied_into_the_message() -> None:
    client, _ = puffle(
        lambda r: httpx.Response(500, json={"error": "E" * 5000}), max_response_bytes=1000
    )
    error = await failure(client)
    assert error.code is UpdateErrorCode.UPSTREAM_UNAVAILABLE
    assert error.message == "Puffle answered HTTP 500: a body over 1000 bytes, not read"


async def test_a_long_provider_message_is_cut() -> None:
    client, _ = puffle(lambda r: httpx.Response(400, json={"error": "E" * 5000}))
    error = await failure(client)
    assert len(error.message) < 600
    assert error.message.endswith("… (cut)")


async def test_nothing_is_sent_once_the_requests_deadline_has_passed() -> None:
    client, seen = puffle(lambda r: httpx.Response(200, json={"conversation": CONVERSATION}))
    token = current_deadline.set(time.monotonic() - 1)
    try:
        error = await failure(client)
    finally:
        current_deadline.reset(token)
    assert seen == []
    assert (error.code, error.may_have_been_applied) == (UpdateErrorCode.TIMEOUT, False)
    assert "the request's deadline had passed" in error.message


async def test_the_requests_deadline_shortens_a_call() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={"conversation": CONVERSATION})

    client = ProviderClient(
        PuffleAdapter(),
        httpx.AsyncClient(transport=httpx.MockTransport(slow)),
        base_url="https://puffle.test",
        token=Secret(TOKEN),
        redactor=Redactor([TOKEN]),
        timeout_seconds=10.0,
    )
    token = current_deadline.set(time.monotonic() + 0.2)
    started = time.monotonic()
    try:
        error = await failure(client)
    finally:
        current_deadline.reset(token)
    assert time.monotonic() - started < 1.0
    assert (error.code, error.may_have_been_applied) == (UpdateErrorCode.TIMEOUT, True)


async def test_a_credential_in_any_provider_text_is_masked() -> None:
    client, _ = puffle(lambda r: httpx.Response(400, json={"error": f"bad token {TOKEN}!"}))
    error = await failure(client)
    assert TOKEN not in error.message
    assert error.message == "Puffle answered HTTP 400: bad token **********!"


def calls(tenant: str, status: str, code: str) -> float:
    return metric(
        "inboxgraph_upstream_requests_total",
        provider="PUFFLE",
        tenant=tenant,
        method="PATCH",
        status=status,
        code=code,
    )


async def test_every_call_is_counted_by_status_and_outcome_code_and_timed() -> None:
    answers = iter([httpx.Response(200, json={"conversation": CONVERSATION}), httpx.Response(404)])
    client, _ = puffle(lambda r: next(answers), tenant="metrics-calls")
    timed = metric(
        "inboxgraph_upstream_request_duration_seconds_count", provider="PUFFLE", method="PATCH"
    )
    await client.update(UPDATE)
    await failure(client)
    assert calls("metrics-calls", "200", "OK") == 1
    assert calls("metrics-calls", "404", "NOT_FOUND") == 1
    assert (
        metric(
            "inboxgraph_upstream_request_duration_seconds_count", provider="PUFFLE", method="PATCH"
        )
        == timed + 2
    )


async def test_a_call_without_an_answer_is_counted_with_status_none() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, _ = puffle(refuse, tenant="metrics-unreachable")
    await failure(client)
    assert calls("metrics-unreachable", "none", "UPSTREAM_UNAVAILABLE") == 1


async def test_a_request_never_sent_is_not_counted_as_a_call() -> None:
    client, seen = puffle(lambda r: httpx.Response(429, json={}), tenant="metrics-held")
    await failure(client)  # sent: the provider answers 429 and asks to wait 1 s
    token = current_deadline.set(time.monotonic() + 0.5)
    try:
        await failure(client)  # held back by the wait, never sent
    finally:
        current_deadline.reset(token)
    assert len(seen) == 1
    assert calls("metrics-held", "429", "RATE_LIMITED") == 1
    assert (
        metric("inboxgraph_rate_limit_refusals_total", provider="PUFFLE", tenant="metrics-held")
        == 1
    )


async def test_retries_are_counted_by_the_code_retried() -> None:
    class RetriesNotFoundOnce(PuffleAdapter):
        async def after_failure(
            self,
            update: PuffleConversationUpdate,
            error: ProviderError,
            attempt: int,
            fetch: Fetch,
        ) -> float | ProviderError:
            return 0.0 if attempt == 0 else error

    answers = iter([httpx.Response(404), httpx.Response(200, json={"conversation": CONVERSATION})])
    client, seen = puffle(lambda r: next(answers), RetriesNotFoundOnce(), tenant="metrics-retry")
    await client.update(UPDATE)
    assert len(seen) == 2
    assert (
        metric(
            "inboxgraph_upstream_retries_total",
            provider="PUFFLE",
            tenant="metrics-retry",
            code="NOT_FOUND",
        )
        == 1
    )


async def test_each_call_is_one_debug_line_with_its_facts(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = puffle(lambda r: httpx.Response(200, json={"conversation": CONVERSATION}))
    caplog.set_level(logging.INFO, logger="inboxgraph.providers")
    await client.update(UPDATE)
    assert [r for r in caplog.records if r.name == "inboxgraph.providers"] == []
    caplog.set_level(logging.DEBUG, logger="inboxgraph.providers")
    await client.update(UPDATE)
    [line] = [r for r in caplog.records if r.name == "inboxgraph.providers"]
    assert line.levelno == logging.DEBUG
    assert line.getMessage().startswith(f"Puffle PATCH /api/conversations/{MINE} -> 200 in ")
    fields = line.__dict__["fields"]
    assert {k: v for k, v in fields.items() if k != "duration_ms"} == {
        "provider": "PUFFLE",
        "method": "PATCH",
        "path": f"/api/conversations/{MINE}",
        "status": 200,
    }
    assert fields["duration_ms"] >= 0
