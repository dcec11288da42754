"""The one HTTP place: waits a provider asks for, answers too big to read, deadlines."""

from __future__ import annotations

import asyncio
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
from inboxgraph.providers.base import UpstreamResponse
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.request_scope import current_deadline
from inboxgraph.secrets import Redactor, Secret
from tests.support import mock_upstream

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
) -> tuple[PuffleClient, list[httpx.Request]]:
    transport, seen = mock_upstream(handler)
    client = ProviderClient(
        adapter or PuffleAdapter(),
        httpx.AsyncClient(transport=transport),
        base_url="https://puffle.test",
        token=Secret(TOKEN),
        redactor=Redactor([TOKEN]),
        max_response_bytes=max_response_bytes,
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
