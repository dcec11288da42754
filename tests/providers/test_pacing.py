"""Client-side pacing: a sliding-window budget that waits briefly or refuses."""

from __future__ import annotations

import asyncio

import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.pacing import Pacer, RateLimit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_requests_within_the_budget_pass_at_once() -> None:
    clock = FakeClock()
    pacer = Pacer("P", max_concurrency=4, rate_limit=RateLimit(3, 10.0), clock=clock)
    for _ in range(3):
        async with pacer.slot():
            pass


async def test_over_budget_with_a_long_wait_is_refused_without_sending() -> None:
    clock = FakeClock()
    pacer = Pacer(
        "Ayrshare", max_concurrency=4, rate_limit=RateLimit(2, 300.0), clock=clock, max_wait=2.0
    )
    for _ in range(2):
        async with pacer.slot():
            pass
    clock.now += 10
    with pytest.raises(ProviderError) as caught:
        async with pacer.slot():
            pytest.fail("the request must not be sent")
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert caught.value.retryable is True
    assert "2 requests per 300 s" in caught.value.message


async def test_the_window_slides() -> None:
    clock = FakeClock()
    pacer = Pacer("P", max_concurrency=4, rate_limit=RateLimit(1, 10.0), clock=clock)
    async with pacer.slot():
        pass
    clock.now += 10.0
    async with pacer.slot():
        pass


async def test_over_budget_with_a_short_wait_waits_for_the_slot() -> None:
    pacer = Pacer("P", max_concurrency=4, rate_limit=RateLimit(1, 0.05), max_wait=1.0)
    async with pacer.slot():
        pass
    async with pacer.slot():
        pass  # reached after about 50 ms instead of failing


async def test_concurrency_is_bounded() -> None:
    pacer = Pacer("P", max_concurrency=2, rate_limit=None)
    running = 0
    peak = 0

    async def work() -> None:
        nonlocal running, peak
        async with pacer.slot():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(work() for _ in range(6)))
    assert peak == 2
