"""Client-side pacing: bounded concurrency plus a sliding-window request budget."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RateLimit:
    """A provider's documented budget: `requests` per `seconds`."""

    requests: int
    seconds: float


class Pacer:
    """Keeps one provider account within its documented rate limit, and away from it
    while the provider has asked to wait (a 429's Retry-After, a spent budget).

    A request that would exceed the budget waits for a free slot when the wait is
    at most `max_wait` seconds; otherwise it fails at once with RATE_LIMITED, so no
    request is sent that the provider would refuse (Ayrshare suspends a profile
    after too many 429s).
    """

    def __init__(
        self,
        provider_name: str,
        *,
        max_concurrency: int,
        rate_limit: RateLimit | None,
        max_wait: float = 2.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._provider_name = provider_name
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._rate_limit = rate_limit
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._in_flight = 0
        self._blocked_until = float("-inf")
        self._blocked_because = ""

    @asynccontextmanager
    async def slot(self, max_wait: float | None = None) -> AsyncIterator[None]:
        """A turn to send one request, waiting at most `max_wait` (default: the pacer's)."""
        self._in_flight += 1
        try:
            async with self._semaphore:
                await self._reserve(self._max_wait if max_wait is None else max_wait)
                yield
        finally:
            self._in_flight -= 1

    def block(self, seconds: float, because: str) -> None:
        """Send nothing for `seconds`: the provider asked to wait."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)
        self._blocked_because = because

    def is_idle(self) -> bool:
        """Nothing in flight, nothing sent within the window and no block: forgetting it
        loses nothing."""
        now = self._clock()
        if self._in_flight or self._blocked_until > now:
            return False
        limit = self._rate_limit
        return limit is None or not self._sent or self._sent[-1] <= now - limit.seconds

    async def _reserve(self, max_wait: float) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                wait, why = self._wait(now)
                if wait <= 0:
                    if self._rate_limit is not None:
                        self._sent.append(now)
                    return
                if wait > max_wait:
                    raise ProviderError(
                        UpdateErrorCode.RATE_LIMITED,
                        f"{why}; this request was not sent. Retry in {max(wait, 1):.0f} s.",
                        retryable=True,
                        retry_after=wait,
                    )
                await self._sleep(wait)

    def _wait(self, now: float) -> tuple[float, str]:
        """How long until a request may be sent, and why it may not be now."""
        if self._blocked_until > now:
            return self._blocked_until - now, self._blocked_because
        limit = self._rate_limit
        if limit is None:
            return 0.0, ""
        while self._sent and self._sent[0] <= now - limit.seconds:
            self._sent.popleft()
        if len(self._sent) < limit.requests:
            return 0.0, ""
        return self._sent[0] + limit.seconds - now, (
            f"{self._provider_name} allows {limit.requests} requests per {limit.seconds:g} s"
        )


class PacerPool:
    """One pacer per budget scope (an Ayrshare profile, say), forgetting idle ones so that
    many scopes seen once do not pile up."""

    #: Idle pacers are swept when the pool grows past this many.
    SWEEP_ABOVE = 1024

    def __init__(self, make: Callable[[], Pacer]) -> None:
        self._make = make
        self._pacers: dict[str, Pacer] = {}

    def __len__(self) -> int:
        return len(self._pacers)

    def get(self, scope: str) -> Pacer:
        pacer = self._pacers.get(scope)
        if pacer is None:
            if len(self._pacers) >= self.SWEEP_ABOVE:
                self._sweep()
            pacer = self._pacers[scope] = self._make()
        return pacer

    def _sweep(self) -> None:
        for scope in [s for s, p in self._pacers.items() if p.is_idle()]:
            del self._pacers[scope]
