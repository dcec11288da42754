"""When a failed upstream call is sent again: transient failures of requests that are safe
to repeat, a few times, after capped exponential backoff with full jitter.

Transient means the same request may succeed a moment later: no answer at all (a
connection error or a timeout), a 5xx, or a 429. A request that may change more when
sent twice than once (`ConversationUpdate.safe_to_repeat` is false) is sent again only
when the failure proves it was not applied: a connection never made, or a 429 (a
refusal before any work).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.errors import ProviderError

#: Failures worth sending the same request again for, when the request allows it.
TRANSIENT_CODES = frozenset(
    {UpdateErrorCode.UPSTREAM_UNAVAILABLE, UpdateErrorCode.TIMEOUT, UpdateErrorCode.RATE_LIMITED}
)


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` in all (the first included; 1 never retries); before retry `n` (from
    0) a random wait in [0, min(`max_seconds`, `base_seconds` * 2**n)] ("full jitter"),
    or the provider's Retry-After when longer. A Retry-After beyond `max_seconds` is not
    waited for: the failure is reported, retryable."""

    attempts: int = 3
    base_seconds: float = 0.25
    max_seconds: float = 2.0
    uniform: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.base_seconds < 0 or self.max_seconds < 0:
            raise ValueError("retry waits must not be negative")

    def backoff(self, retry: int) -> float:
        """The jittered wait before retry number `retry` (0 for the first)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** min(retry, 32))
        return self.uniform() * ceiling


NO_RETRIES = RetryPolicy(attempts=1)


def is_transient(error: ProviderError) -> bool:
    """Whether the same request may succeed if sent again shortly.

    A RATE_LIMITED that inboxgraph's own pacing raised (no provider status) is not:
    the pacer already waited as long as it may.
    """
    if error.code not in TRANSIENT_CODES:
        return False
    if error.code is UpdateErrorCode.RATE_LIMITED:
        return error.provider_status == 429
    return True


def proves_not_applied(error: ProviderError) -> bool:
    """Whether the failure shows the provider did nothing: a 429 refuses before any
    work, and a connection never made sent nothing."""
    if error.provider_status == 429:
        return True
    return error.provider_status is None and not error.may_have_been_applied
