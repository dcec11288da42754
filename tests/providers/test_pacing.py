"""Client-side pacing: a sliding-window budget per scope that waits briefly or refuses,
provider-asked waits, and budgets divided among processes that cannot share them."""

from __future__ import annotations

import asyncio

import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.pacing import LocalBudgets, Pacer, RateLimit


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


def pacer(
    time: FakeTime, limit: RateLimit | None, *, max_wait: float = 0.0, share: int = 1
) -> Pacer:
    return Pacer(
        "P",
        max_concurrency=4,
        rate_limit=limit,
        budgets=LocalBudgets(share=share, clock=time.clock),
        max_wait=max_wait,
        sleep=time.sleep,
    )


async def send(p: Pacer, scope: str = "s") -> None:
    async with p.slot(scope):
        pass


async def test_the_budget_admits_exactly_its_requests_then_refuses() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(3, 10.0))
    for _ in range(3):
        await send(p)
    with pytest.raises(ProviderError) as caught:
        async with p.slot("s"):
            pytest.fail("the fourth request must not be sent")
    assert time.slept == []
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert caught.value.retryable is True
    assert caught.value.retry_after == pytest.approx(10.0)


async def test_each_scope_has_its_own_budget() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(1, 10.0))
    await send(p, "profile-a")
    await send(p, "profile-b")
    with pytest.raises(ProviderError):
        await send(p, "profile-a")


async def test_over_budget_with_a_long_wait_is_refused_without_sending() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(2, 300.0), max_wait=2.0)
    for _ in range(2):
        await send(p)
    time.now += 10
    with pytest.raises(ProviderError) as caught:
        async with p.slot("s"):
            pytest.fail("the request must not be sent")
    assert caught.value.code is UpdateErrorCode.RATE_LIMITED
    assert caught.value.message == (
        "P allows 2 requests per 300 s; this request was not sent. Retry in 290 s."
    )


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


async def test_a_wait_the_provider_asked_for_holds_the_scope_back() -> None:
    time = FakeTime()
    p = pacer(time, None)
    await p.block("s", 30.0, "P answered 429 and asked to wait 30 s")
    await send(p, "other")  # another scope is not held back
    with pytest.raises(ProviderError) as caught:
        await send(p)
    assert caught.value.message.startswith("P answered 429 and asked to wait 30 s; ")
    time.now += 30.0
    await send(p)


async def test_workers_that_cannot_share_state_divide_the_budget() -> None:
    time = FakeTime()
    p = pacer(time, RateLimit(300, 300.0), share=2)
    for _ in range(150):
        await send(p)
    with pytest.raises(ProviderError) as caught:
        await send(p)
    assert caught.value.message.startswith(
        "P allows 300 requests per 300 s (150 for each of 2 workers without Redis); "
    )


async def test_concurrency_is_bounded() -> None:
    p = Pacer("P", max_concurrency=2, rate_limit=None, budgets=LocalBudgets())
    running = 0
    peak = 0

    async def work() -> None:
        nonlocal running, peak
        async with p.slot("s"):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(work() for _ in range(6)))
    assert peak == 2


async def test_idle_scopes_are_forgotten_and_busy_ones_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    time = FakeTime()
    budgets = LocalBudgets(clock=time.clock)
    monkeypatch.setattr(LocalBudgets, "SWEEP_ABOVE", 4)
    limit = RateLimit(1, 10.0)
    for scope in ("busy", "a", "b"):
        assert await budgets.reserve(scope, limit, "P") is None
    time.now += 10.0  # all three are past their window now
    assert await budgets.reserve("busy2", limit, "P") is None
    await budgets.block("blocked", 60.0, "asked to wait")
    time.now += 5.0
    assert await budgets.reserve("busy", limit, "P") is None  # used again, 5 s ago
    assert await budgets.reserve("new", limit, "P") is None  # past the bound: swept
    assert len(budgets) == 4  # busy, busy2, blocked, new
    assert await budgets.reserve("busy", limit, "P") is not None  # its window is kept
    assert await budgets.reserve("blocked", None, "P") is not None  # its block is kept
