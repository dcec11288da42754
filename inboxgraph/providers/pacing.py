"""Client-side pacing: bounded concurrency plus a sliding-window request budget."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from inboxgraph.providers.errors import ProviderError
from inboxgraph.schema.enums import UpdateErrorCode


@dataclass(frozen=True)
class RateLimit:
    """A provider's documented budget: `requests` per `seconds`."""

    requests: int
    seconds: float


class Pacer:
    """Keeps one provider account within its documented rate limit.

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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider_name = provider_name
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._rate_limit = rate_limit
        self._max_wait = max_wait
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._semaphore:
            await self._reserve()
            yield

    async def _reserve(self) -> None:
        limit = self._rate_limit
        if limit is None:
            return
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - limit.seconds:
                    self._sent.popleft()
                if len(self._sent) < limit.requests:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + limit.seconds - now
                if wait > self._max_wait:
                    raise ProviderError(
                        UpdateErrorCode.RATE_LIMITED,
                        f"{self._provider_name} allows {limit.requests} requests per "
                        f"{limit.seconds:g} s; this one was not sent. Retry in {wait:.0f} s.",
                        retryable=True,
                    )
                await asyncio.sleep(wait)
