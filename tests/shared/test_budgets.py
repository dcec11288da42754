"""Budgets shared through a real Redis: an exact moving window, the wait it tells,
provider-asked waits that expire, scopes kept apart, and a Redis that is gone or stuck."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.pacing import Pacer, RateLimit
from inboxgraph.secrets import Secret
from inboxgraph.shared.budgets import FAIL_FAST_SECONDS, RedisBudgets
from inboxgraph.shared.redis import REDIS_TIMEOUT_SECONDS, redis_client
from tests.redis_server import redis_server

BUDGET = "P allows 3 requests per 60 s"


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:
    """Two separate clients of one Redis, as two processes would have."""
    first, second = redis_client(Secret(redis_url)), redis_client(Secret(redis_url))
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_processes_share_one_window_of_exactly_its_requests(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    one, other = RedisBudgets(clients[0]), RedisBudgets(clients[1])
    limit = RateLimit(3, 60.0)
    assert await one.reserve("s", limit, "P") is None
    assert await other.reserve("s", limit, "P") is None
    assert await one.reserve("s", limit, "P") is None
    for budgets in (one, other):
        wait = await budgets.reserve("s", limit, "P")
        assert wait is not None
        assert wait.reason == BUDGET
        assert 59.0 < wait.seconds <= 60.0


async def test_the_wait_lasts_until_the_oldest_request_leaves_the_window(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    budgets = RedisBudgets(clients[0])
    limit = RateLimit(2, 1.0)
    assert await budgets.reserve("s", limit, "P") is None
    await asyncio.sleep(0.4)
    assert await budgets.reserve("s", limit, "P") is None
    wait = await budgets.reserve("s", limit, "P")
    assert wait is not None
    assert wait.seconds == pytest.approx(0.6, abs=0.1)
    await asyncio.sleep(wait.seconds + 0.02)
    # A moving window, not a fixed one: one request left it, so one slot is free, and
    # the refused request was not counted.
    assert await budgets.reserve("s", limit, "P") is None
    wait = await budgets.reserve("s", limit, "P")
    assert wait is not None
    assert wait.seconds == pytest.approx(0.4, abs=0.1)


async def test_a_pacer_on_shared_budgets_refuses_with_the_wait(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    pacer = Pacer(
        "P", max_concurrency=4, rate_limit=RateLimit(1, 60.0), budgets=RedisBudgets(clients[0])
    )
    async with pacer.slot("s"):
        pass
    with pytest.raises(ProviderError) as caught:
        async with pacer.slot("s"):
            pytest.fail("the second request must not be sent")
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert caught.value.message.startswith(
        "P allows 1 requests per 60 s; this request was not sent"
    )
    assert caught.value.retry_after is not None and 59.0 < caught.value.retry_after <= 60.0


async def test_a_wait_asked_by_the_provider_holds_every_process_back_then_expires(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    one, other = RedisBudgets(clients[0]), RedisBudgets(clients[1])
    limit = RateLimit(100, 60.0)
    await one.block("s", 0.5, "P answered 429 and asked to wait 0.5 s")
    wait = await other.reserve("s", limit, "P")
    assert wait is not None
    assert wait.reason == "P answered 429 and asked to wait 0.5 s"
    assert 0.3 < wait.seconds <= 0.5
    assert await other.reserve("t", limit, "P") is None  # another scope is not held back
    await asyncio.sleep(0.55)
    assert await clients[0].keys("inboxgraph:block:*") == []
    for _ in range(100):  # blocked requests were not counted
        assert await other.reserve("s", limit, "P") is None


async def test_a_shorter_wait_never_shortens_a_longer_one(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    one, other = RedisBudgets(clients[0]), RedisBudgets(clients[1])
    await one.block("s", 30.0, "long")
    await one.block("s", 1.0, "short")
    wait = await other.reserve("s", None, "P")
    assert wait is not None
    assert (wait.reason, round(wait.seconds)) == ("long", 30)
    await one.block("s", 60.0, "longer")
    wait = await other.reserve("s", None, "P")
    assert wait is not None
    assert (wait.reason, round(wait.seconds)) == ("longer", 60)


async def test_scopes_are_kept_apart_and_redis_holds_none_of_their_names(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    budgets = RedisBudgets(clients[0])
    limit = RateLimit(1, 60.0)
    spent, other = "tenant:AYRSHARE:fp:profile-key-1", "tenant:AYRSHARE:fp:profile-key-2"
    assert await budgets.reserve(spent, limit, "P") is None
    assert await budgets.reserve(spent, limit, "P") is not None
    await budgets.block(spent, 30.0, "asked")
    assert await budgets.reserve(other, limit, "P") is None
    keys = [key.decode() for key in await clients[0].keys("*")]
    assert len(keys) == 3  # two windows and one wait
    assert all(key.startswith("inboxgraph:") for key in keys)
    assert not any("profile-key" in key or "tenant" in key for key in keys)


async def test_unlimited_scopes_write_nothing(
    clients: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    budgets = RedisBudgets(clients[0])
    for _ in range(5):
        assert await budgets.reserve("s", None, "P") is None
    assert await clients[0].dbsize() == 0


async def test_a_redis_stopped_mid_test_makes_requests_unsent_and_retryable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with redis_server() as url:
        client = redis_client(Secret(url))
        budgets = RedisBudgets(client)
        limit = RateLimit(3, 60.0)
        assert await budgets.reserve("s", limit, "P") is None
        await client.shutdown(nosave=True)
        started = time.monotonic()
        with pytest.raises(ProviderError) as caught:
            await budgets.reserve("s", limit, "P")
        assert time.monotonic() - started < 1.0
        error = caught.value
        assert error.code is UpdateErrorCode.STATE_UNAVAILABLE
        assert (error.retryable, error.may_have_been_applied) == (True, False)
        assert "nothing was sent" in error.message
        # A wait the provider asked for while Redis is gone is still honoured here.
        with caplog.at_level(logging.WARNING, logger="inboxgraph.shared"):
            await budgets.block("s", 30.0, "P answered 429")
        assert "could not be shared" in caplog.text
        wait = await budgets.reserve("s", limit, "P")
        assert wait is not None and wait.reason == "P answered 429"
        await client.aclose()


async def test_a_redis_that_stops_answering_is_given_up_on_within_its_timeout() -> None:
    with redis_server() as url:
        client, pauser = redis_client(Secret(url)), redis_client(Secret(url))
        budgets = RedisBudgets(client)
        assert await budgets.reserve("s", RateLimit(3, 60.0), "P") is None
        # Redis holds every command that may write (the budget's) unanswered.
        await pauser.client_pause(int(REDIS_TIMEOUT_SECONDS * 2000), all=False)
        started = time.monotonic()
        with pytest.raises(ProviderError) as caught:
            await budgets.reserve("s", RateLimit(3, 60.0), "P")
        assert caught.value.code is UpdateErrorCode.STATE_UNAVAILABLE
        assert time.monotonic() - started < REDIS_TIMEOUT_SECONDS + 0.5
        # The next requests fail at once instead of each waiting out the timeout again.
        started = time.monotonic()
        for _ in range(20):
            with pytest.raises(ProviderError):
                await budgets.reserve("s", RateLimit(3, 60.0), "P")
        assert time.monotonic() - started < 0.1
        await pauser.client_unpause()
        await client.aclose()
        await pauser.aclose()


async def test_after_a_failure_redis_is_asked_again_once_the_fail_fast_time_is_over(
    clients: tuple[aioredis.Redis, aioredis.Redis], redis_url: str
) -> None:
    now = [0.0]
    impatient = aioredis.Redis.from_url(redis_url, socket_timeout=0.1)
    budgets = RedisBudgets(impatient, clock=lambda: now[0])
    limit = RateLimit(3, 60.0)
    await clients[1].client_pause(1000, all=False)
    with pytest.raises(ProviderError):  # stuck Redis: fails after the client's timeout
        await budgets.reserve("s", limit, "P")
    await clients[1].client_unpause()
    now[0] += FAIL_FAST_SECONDS - 0.1
    with pytest.raises(ProviderError):  # Redis is back, but is not asked yet
        await budgets.reserve("s", limit, "P")
    now[0] += 0.1
    assert await budgets.reserve("s", limit, "P") is None
    await impatient.aclose()
