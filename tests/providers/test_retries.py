"""Retries: transient failures of requests safe to repeat are sent again, with capped,
jittered backoff, Retry-After honoured, within the request's deadline; others never."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.domain.puffle import (
    PuffleConversationRef,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.domain.vcita import VcitaConversationUpdate
from inboxgraph.providers.base import ProviderAdapter
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.providers.retries import RetryPolicy, is_transient, proves_not_applied
from inboxgraph.providers.vcita import VcitaAdapter
from inboxgraph.request_scope import current_deadline
from inboxgraph.secrets import Redactor, Secret
from tests.support import mock_upstream

TOKEN = "retries-test-token-1"
MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
PUFFLE_UPDATE = PuffleConversationUpdate(id=MINE, status=PuffleConversationStatus.ARCHIVED)
PUFFLE_OK = {
    "conversation": {
        "id": MINE,
        "status": "archived",
        "unread_count": 0,
        "channel": "linkedin",
        "updated_at": "2026-04-22T10:00:00Z",
    }
}
#: vcita adds an internal note each time this is sent: not safe to repeat.
NOTE_ADDING = VcitaConversationUpdate("89m2pnabgozdvd9f", follow_up=True, follow_up_message="hi")
VCITA_OK = {
    "status": "OK",
    "data": {
        "conversation": {
            "uid": "89m2pnabgozdvd9f",
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
        }
    },
}
#: Retries at once, so that only waits a provider asks for take time.
AT_ONCE = RetryPolicy(attempts=3, base_seconds=0.0)

Answer = Callable[[httpx.Request], httpx.Response]


def client_for(
    answers: list[Answer | Exception],
    adapter: ProviderAdapter[Any, Any, Any] | None = None,
    retries: RetryPolicy = AT_ONCE,
) -> tuple[ProviderClient[Any, Any, Any], list[httpx.Request]]:
    """A client whose upstream gives `answers` in turn (the last one from then on)."""

    def upstream(request: httpx.Request) -> httpx.Response:
        answer = answers[min(len(seen) - 1, len(answers) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer(request)

    transport, seen = mock_upstream(upstream)
    client = ProviderClient(
        adapter or PuffleAdapter(),
        httpx.AsyncClient(transport=transport),
        base_url="https://provider.test",
        token=Secret(TOKEN),
        redactor=Redactor([TOKEN]),
        retries=retries,
    )
    return client, seen


def status(code: int, body: Any = None, **headers: str) -> Answer:
    return lambda request: httpx.Response(code, json=body or {}, headers=headers)


async def failure(
    client: ProviderClient[Any, Any, Any], update: ConversationUpdate
) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await client.update(update)
    return caught.value


# --- The policy ---


def test_backoff_is_full_jitter_under_a_capped_exponential() -> None:
    top = RetryPolicy(base_seconds=0.25, max_seconds=2.0, uniform=lambda: 1.0)
    bottom = RetryPolicy(base_seconds=0.25, max_seconds=2.0, uniform=lambda: 0.0)
    assert [top.backoff(n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert [bottom.backoff(n) for n in range(6)] == [0.0] * 6
    assert RetryPolicy().backoff(1000) <= 2.0


def test_a_policy_needs_one_attempt_at_least() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


@pytest.mark.parametrize(
    ("error", "transient", "not_applied"),
    [
        (
            ProviderError(UpdateErrorCode.UPSTREAM_UNAVAILABLE, "503", provider_status=503),
            True,
            False,
        ),
        (ProviderError(UpdateErrorCode.RATE_LIMITED, "429", provider_status=429), True, True),
        # inboxgraph's own pacing refused: it already waited as long as it may.
        (ProviderError(UpdateErrorCode.RATE_LIMITED, "paced"), False, True),
        (ProviderError(UpdateErrorCode.TIMEOUT, "slow", may_have_been_applied=True), True, False),
        (ProviderError(UpdateErrorCode.UPSTREAM_UNAVAILABLE, "refused"), True, True),
        (ProviderError(UpdateErrorCode.UPSTREAM_ERROR, "400", provider_status=400), False, False),
        (
            ProviderError(
                UpdateErrorCode.UNCONFIRMED, "?", provider_status=200, may_have_been_applied=True
            ),
            False,
            False,
        ),
    ],
)
def test_what_is_transient_and_what_proves_nothing_was_applied(
    error: ProviderError, transient: bool, not_applied: bool
) -> None:
    assert is_transient(error) is transient
    assert proves_not_applied(error) is not_applied


# --- Updates safe to repeat ---


async def test_a_server_error_is_retried_until_an_answer_comes() -> None:
    client, seen = client_for([status(503), status(502), status(200, PUFFLE_OK)])
    conversation = await client.update(PUFFLE_UPDATE)
    assert conversation.id == MINE
    assert len(seen) == 3


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
async def test_no_answer_at_all_is_retried(exc: Exception) -> None:
    client, seen = client_for([exc, status(200, PUFFLE_OK)])
    await client.update(PUFFLE_UPDATE)
    assert len(seen) == 2


async def test_attempts_run_out_and_the_last_failure_is_told_retryable() -> None:
    client, seen = client_for([status(503)])
    error = await failure(client, PUFFLE_UPDATE)
    assert len(seen) == 3
    assert (error.code, error.retryable, error.may_have_been_applied) == (
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        True,
        False,
    )
    assert error.message.endswith("(after 3 attempts)")


async def test_one_attempt_means_no_retry() -> None:
    client, seen = client_for([status(503)], retries=RetryPolicy(attempts=1))
    await failure(client, PUFFLE_UPDATE)
    assert len(seen) == 1


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
async def test_a_refusal_is_never_retried(code: int) -> None:
    client, seen = client_for([status(code)])
    error = await failure(client, PUFFLE_UPDATE)
    assert len(seen) == 1
    assert error.retryable is False


async def test_an_unreadable_success_is_never_retried() -> None:
    client, seen = client_for([lambda r: httpx.Response(200, content=b"<html>")])
    error = await failure(client, PUFFLE_UPDATE)
    assert len(seen) == 1
    assert (error.code, error.retryable) == (UpdateErrorCode.UNCONFIRMED, False)


async def test_a_429s_retry_after_is_waited_before_the_retry() -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.monotonic())
        if len(sent_at) == 1:
            return httpx.Response(429, headers={"Retry-After": "1"}, json={})
        return httpx.Response(200, json=PUFFLE_OK)

    client, _ = client_for([answer])
    await client.update(PUFFLE_UPDATE)
    assert len(sent_at) == 2
    assert sent_at[1] - sent_at[0] >= 0.95


async def test_a_retry_after_longer_than_the_cap_is_not_waited_for() -> None:
    client, seen = client_for([status(429, **{"Retry-After": "30"})])
    error = await failure(client, PUFFLE_UPDATE)
    assert len(seen) == 1
    assert (error.code, error.retryable) == (UpdateErrorCode.RATE_LIMITED, True)
    assert "not retried: inboxgraph waits at most 2 s to retry" in error.message


async def test_no_retry_waits_past_the_requests_deadline() -> None:
    slow = RetryPolicy(attempts=3, base_seconds=5.0, max_seconds=5.0, uniform=lambda: 1.0)
    client, seen = client_for([status(503)], retries=slow)
    token = current_deadline.set(time.monotonic() + 1.0)
    started = time.monotonic()
    try:
        error = await failure(client, PUFFLE_UPDATE)
    finally:
        current_deadline.reset(token)
    assert time.monotonic() - started < 0.5
    assert len(seen) == 1
    assert "not retried: the request's deadline is too near" in error.message
    assert error.retryable is True


async def test_reads_are_retried() -> None:
    listing = {"conversations": [PUFFLE_OK["conversation"]], "total": 1, "page": 1, "limit": 50}
    client, seen = client_for([status(503), status(200, listing)])
    found = await client.read([PuffleConversationRef(MINE)])
    assert list(found) == [PuffleConversationRef(MINE)]
    assert [r.method for r in seen] == ["GET", "GET"]


# --- An update not safe to repeat ---


def test_the_note_adding_vcita_update_is_not_safe_to_repeat() -> None:
    assert NOTE_ADDING.safe_to_repeat is False


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut"), httpx.ReadError("reset")]
)
async def test_an_unsafe_update_that_may_have_landed_is_not_sent_again(exc: Exception) -> None:
    client, seen = client_for([exc, status(200, VCITA_OK)], adapter=VcitaAdapter())
    error = await failure(client, NOTE_ADDING)
    assert len(seen) == 1
    assert (error.may_have_been_applied, error.retryable) == (True, False)
    assert (
        "not retried: sending this update twice changes more than sending it once" in error.message
    )
    assert "check the conversation before sending it again" in error.message


async def test_an_unsafe_update_answered_a_server_error_is_not_sent_again() -> None:
    client, seen = client_for([status(503), status(200, VCITA_OK)], adapter=VcitaAdapter())
    error = await failure(client, NOTE_ADDING)
    assert len(seen) == 1
    # vcita answered an error: as for every update, that tells nothing was applied.
    assert (error.code, error.may_have_been_applied, error.retryable) == (
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        False,
        True,
    )


@pytest.mark.parametrize(
    "first",
    [httpx.ConnectError("refused"), status(429, **{"Retry-After": "0"})],
    ids=["connection-never-made", "429"],
)
async def test_an_unsafe_update_is_retried_when_nothing_can_have_landed(
    first: Answer | Exception,
) -> None:
    client, seen = client_for([first, status(200, VCITA_OK)], adapter=VcitaAdapter())
    await client.update(NOTE_ADDING)
    assert len(seen) == 2
