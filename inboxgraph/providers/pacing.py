"""Client-side pacing: bounded concurrency, a sliding-window request budget per credential
scope, and the waits a provider asks for (a 429's Retry-After, a spent budget).

Where the budgets and waits are kept is a `Budgets`: this process's memory by default
(`LocalBudgets`), or a store every process shares (Redis), so that several processes
together stay within what the provider allows.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RateLimit:
    """A provider's documented budget: `requests` per `seconds`."""

    requests: int
    seconds: float


@dataclass(frozen=True)
class Wait:
    """A request may not be sent for `seconds`, because of `reason`."""

    seconds: float
    reason: str


class Budgets(Protocol):
    """Request budgets and provider-asked waits, per credential scope."""

    async def reserve(self, scope: str, limit: RateLimit | None, provider_name: str) -> Wait | None:
        """Count one request against `scope` and return None, or say how long to wait
        (counting nothing) when the scope is blocked or its budget spent."""
        ...

    async def block(self, scope: str, seconds: float, reason: str) -> None:
        """Send nothing for `scope` during `seconds`: the provider asked to wait."""
        ...


def budget_reason(provider_name: str, limit: RateLimit) -> str:
    return f"{provider_name} allows {limit.requests} requests per {limit.seconds:g} s"


@dataclass
class _Scope:
    sent: deque[float] = field(default_factory=deque)
    blocked_until: float = float("-inf")
    blocked_because: str = ""


class LocalBudgets:
    """Budgets kept in this process.

    `share` divides every budget among that many processes that cannot share state (N
    workers without Redis), so that together they never exceed the provider's budget.
    Scopes idle past their window are forgotten once many have been seen.
    """

    #: Idle scopes are swept when more than this many are kept.
    SWEEP_ABOVE = 1024

    def __init__(self, *, share: int = 1, clock: Clock = time.monotonic) -> None:
        self._share = share
        self._clock = clock
        self._scopes: dict[str, _Scope] = {}
        self._windows: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._scopes)

    def shared_limit(self, limit: RateLimit) -> RateLimit:
        return RateLimit(max(1, limit.requests // self._share), limit.seconds)

    async def reserve(self, scope: str, limit: RateLimit | None, provider_name: str) -> Wait | None:
        now = self._clock()
        state = self._scope(scope)
        if state.blocked_until > now:
            return Wait(state.blocked_until - now, state.blocked_because)
        if limit is None:
            return None
        share = self.shared_limit(limit)
        self._windows[scope] = share.seconds
        while state.sent and state.sent[0] <= now - share.seconds:
            state.sent.popleft()
        if len(state.sent) < share.requests:
            state.sent.append(now)
            return None
        reason = budget_reason(provider_name, limit)
        if self._share > 1:
            reason += f" ({share.requests} for each of {self._share} workers without Redis)"
        return Wait(state.sent[0] + share.seconds - now, reason)

    async def block(self, scope: str, seconds: float, reason: str) -> None:
        state = self._scope(scope)
        state.blocked_until = max(state.blocked_until, self._clock() + seconds)
        state.blocked_because = reason

    def _scope(self, scope: str) -> _Scope:
        state = self._scopes.get(scope)
        if state is None:
            if len(self._scopes) >= self.SWEEP_ABOVE:
                self._sweep()
            state = self._scopes[scope] = _Scope()
        return state

    def _sweep(self) -> None:
        now = self._clock()
        for scope, state in list(self._scopes.items()):
            window = self._windows.get(scope, 0.0)
            idle = not state.sent or state.sent[-1] <= now - window
            if idle and state.blocked_until <= now:
                del self._scopes[scope]
                self._windows.pop(scope, None)


class Pacer:
    """Keeps one provider account within its rate limit and away from it while it has
    asked to wait, with at most `max_concurrency` requests in flight.

    A request that may not be sent yet waits when the wait is at most `max_wait` seconds;
    otherwise it fails at once with RATE_LIMITED, so no request is sent that the provider
    would refuse (Ayrshare suspends a profile after too many 429s).
    """

    def __init__(
        self,
        provider_name: str,
        *,
        max_concurrency: int,
        rate_limit: RateLimit | None,
        budgets: Budgets,
        max_wait: float = 2.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._provider_name = provider_name
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._rate_limit = rate_limit
        self._budgets = budgets
        self._max_wait = max_wait
        self._sleep = sleep

    @asynccontextmanager
    async def slot(self, scope: str, max_wait: float | None = None) -> AsyncIterator[None]:
        """A turn to send one request for `scope`, waiting at most `max_wait` (default: the
        pacer's)."""
        patience = self._max_wait if max_wait is None else max_wait
        async with self._semaphore:
            while (
                wait := await self._budgets.reserve(scope, self._rate_limit, self._provider_name)
            ) is not None:
                if wait.seconds > patience:
                    raise ProviderError(
                        UpdateErrorCode.RATE_LIMITED,
                        f"{wait.reason}; this request was not sent. "
                        f"Retry in {max(wait.seconds, 1):.0f} s.",
                        retryable=True,
                        retry_after=wait.seconds,
                    )
                await self._sleep(wait.seconds)
            yield

    async def block(self, scope: str, seconds: float, reason: str) -> None:
        await self._budgets.block(scope, seconds, reason)
