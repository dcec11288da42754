"""Client-side pacing: a sliding-window budget that waits briefly or refuses."""

from __future__ import annotations

import asyncio

import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.pacing import Pacer, PacerPool, RateLimit


class FakeTime:
    """A clock and a sleep that advances it, so waits are exact and instant."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(time: FakeTime, limit: RateLimit, *, max_wait: float = 0.0) -> Pacer:
    return Pacer(
        "P",
        max_concurrency=4,
        rate_limit=limit,
        max_wait=max_wait,
        clock=time.clock,
        sleep=time.sleep,
    )


async def send(p: Pacer) -> None:
    async with p.slot():
        pass


async def test_the_budget_admits_exactly_its_requests_then_refuses() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(3, 10.0))
    for _ in range(3):
        await send(p)
    with pytest.raises(ProviderError) as caught:
        async with p.slot():
            pytest.fail("the fourth request must not be sent")
    assert time.slept == []
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert caught.value.retryable is True
    assert caught.value.retry_after == pytest.approx(10.0)


async def test_over_budget_with_a_long_wait_is_refused_without_sending() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(2, 300.0), max_wait=2.0)
    for _ in range(2):
        await send(p)
    time.now += 10
    with pytest.raises(ProviderError) as caught:
        async with p.slot():
            pytest.fail("the request must not be sent")
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert "2 requests per 300 s" in caught.value.message
    assert "Retry in 290 s" in caught.value.message


async def test_the_window_slides() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(1, 10.0))
    await send(p)
    time.now += 9.9
    with pytest.raises(ProviderError):
        await send(p)
    time.now += 0.1
    await send(p)


async def test_over_budget_with_a_short_wait_waits_for_the_slot() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(1, 0.05), max_wait=1.0)
    await send(p)
    await send(p)
    assert time.slept == [pytest.approx(0.05)]


async def test_concurrency_is_bounded() -> None:
    p = Pacer("P", max_concurrency=2, rate_limit=None)
    running = 0
    peak = 0

    async def work() -> None:
        nonlocal running, peak
        async with p.slot():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(work() for _ in range(6)))
    assert peak == 2


async def test_the_pool_forgets_idle_scopes_and_keeps_busy_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    time = FakeTime()
    pool = PacerPool(lambda: pacer(time, RateLimit(1, 10.0)))
    monkeypatch.setattr(PacerPool, "SWEEP_ABOVE", 4)
    busy = pool.get("busy")
    await send(busy)
    for scope in ("a", "b"):
        await send(pool.get(scope))
    time.now += 10.0  # "a" and "b" are past their window now
    await send(pool.get("busy2"))  # and "busy2" sent just now
    assert len(pool) == 4
    time.now += 5.0
    await send(busy)  # "busy" sent again within its window: 5 s old
    pool.get("new")  # past the bound: idle scopes are swept
    assert len(pool) == 3
    assert pool.get("busy") is busy  # its budget is remembered
    with pytest.raises(ProviderError):
        await send(busy)
