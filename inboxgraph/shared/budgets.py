"""Rate-limit budgets and provider-asked waits kept in Redis, so every inboxgraph process
using the same Redis (workers of one machine, and machines) spends one budget together.

Budgets are the `limits` library's moving window: a log of the last `requests` send
times per scope, so at most `requests` are sent in any `seconds`, exactly as the
provider counts them. A wait (a 429's Retry-After, a spent budget) is one key per scope
that expires when the wait is over. Keys hold a hash of the scope, never a credential
or a profile key.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

import redis.asyncio as aioredis
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError, WatchError

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.pacing import Clock, LocalBudgets, RateLimit, Wait, budget_reason

logger = logging.getLogger("inboxgraph.shared")

#: Every key inboxgraph writes for budgets starts with this.
KEY_PREFIX = "inboxgraph"
#: After Redis failed, requests fail at once for this long instead of each waiting out
#: the timeout again (a batch of 100 would otherwise take 100 timeouts / concurrency).
FAIL_FAST_SECONDS = 2.0
_FAILURES = (RedisError, OSError)


class RedisBudgets:
    """`Budgets` shared through Redis.

    A Redis failure while reserving is the request's STATE_UNAVAILABLE (retryable,
    nothing sent): it is never sent unpaced, and for `FAIL_FAST_SECONDS` after a failure
    Redis is not asked again. A wait that cannot be recorded in Redis is logged and still
    honoured by this process.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        key_prefix: str = KEY_PREFIX,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._clock = clock
        self._failed_at = float("-inf")
        # The library is handed this client's connections (and so its timeouts), never
        # the URL: it would tell the URL, password included, in its own errors.
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            # Documented, though typed as the scalar options only.
            connection_pool=client.connection_pool,  # type: ignore[arg-type]
            key_prefix=f"{key_prefix}:budget",
        )
        self._window = MovingWindowRateLimiter(storage)
        self._local = LocalBudgets()

    async def reserve(self, scope: str, limit: RateLimit | None, provider_name: str) -> Wait | None:
        waiting_here = await self._local.reserve(scope, None, provider_name)
        if waiting_here is not None:
            return waiting_here
        if self._recently_failed():
            raise state_unavailable(provider_name)
        try:
            blocked = await self._blocked(scope)
            if blocked is not None or limit is None:
                return blocked
            item = _window_item(limit)
            if await self._window.hit(item, self._key(scope)):
                return None
            stats = await self._window.get_window_stats(item, self._key(scope))
        except _FAILURES as error:
            self._failed(error)
            raise state_unavailable(provider_name) from None
        # A slot freed since the refusal: no wait, try again.
        seconds = 0.0 if stats.remaining > 0 else max(0.0, stats.reset_time - time.time())
        return Wait(seconds, budget_reason(provider_name, limit))

    async def block(self, scope: str, seconds: float, reason: str) -> None:
        await self._local.block(scope, seconds, reason)
        try:
            if not self._recently_failed():
                key = self._key(scope, "block")
                await self._block_shared(key, math.ceil(seconds * 1000), reason)
                return
        except _FAILURES as error:
            self._failed(error)
        logger.warning("a provider's wait could not be shared; this process honours it")

    def _recently_failed(self) -> bool:
        return self._clock() - self._failed_at < FAIL_FAST_SECONDS

    def _failed(self, error: Exception) -> None:
        if not self._recently_failed():
            logger.warning("shared budgets (Redis) unavailable: %s", type(error).__name__)
        self._failed_at = self._clock()

    async def _blocked(self, scope: str) -> Wait | None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.get(self._key(scope, "block"))
            pipe.pttl(self._key(scope, "block"))
            reason, left_ms = await pipe.execute()
        if reason is None or left_ms <= 0:
            return None
        return Wait(left_ms / 1000, reason.decode())

    async def _block_shared(self, key: str, milliseconds: int, reason: str) -> None:
        """Set the wait, unless a longer one is already set (by any process)."""
        async with self._client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    if await pipe.pttl(key) >= milliseconds:
                        return
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, reason, px=max(1, milliseconds))
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    def _key(self, scope: str, kind: str | None = None) -> str:
        digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
        return digest if kind is None else f"{self._prefix}:{kind}:{digest}"


def _window_item(limit: RateLimit) -> RateLimitItemPerSecond:
    """The library counts whole seconds: a fractional window is rounded up (never more
    requests than allowed)."""
    return RateLimitItemPerSecond(limit.requests, max(1, math.ceil(limit.seconds)))


def state_unavailable(provider_name: str) -> ProviderError:
    """The failure of a request that could not be paced because Redis did not answer."""
    return ProviderError(
        UpdateErrorCode.STATE_UNAVAILABLE,
        f"{provider_name} was not called: the shared rate-limit state (Redis) could not "
        "be reached, so nothing was sent. Retry shortly.",
        retryable=True,
        may_have_been_applied=False,
    )
