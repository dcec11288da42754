"""What became of one update: the conversation it left, or why it failed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from inboxgraph.domain.provider import Conversation, Provider


class UpdateErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    NOT_CONFIGURED = "NOT_CONFIGURED"
    UNCONFIRMED = "UNCONFIRMED"
    INTERNAL = "INTERNAL"
    UNSUPPORTED = "UNSUPPORTED"
    STATE_UNAVAILABLE = "STATE_UNAVAILABLE"
    CANCELLED = "CANCELLED"
    INTERRUPTED = "INTERRUPTED"


#: Failures where sending the same request later may succeed.
RETRYABLE_CODES = frozenset(
    {
        UpdateErrorCode.RATE_LIMITED,
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        UpdateErrorCode.TIMEOUT,
        UpdateErrorCode.STATE_UNAVAILABLE,
    }
)


@dataclass(frozen=True, slots=True)
class ConversationUpdated:
    provider: Provider
    conversation: Conversation


@dataclass(frozen=True, slots=True)
class UpdateFailed:
    """Why an update failed, in terms a caller can act on; `message` never holds a credential."""

    provider: Provider
    code: UpdateErrorCode
    message: str
    field: str | None = None
    provider_status: int | None = None
    provider_code: str | None = None
    retryable: bool = False
    #: True when inboxgraph cannot rule out that the provider applied the update
    #: (it answered success unreadably, or the answer was lost after sending).
    may_have_been_applied: bool = False


UpdateOutcome = ConversationUpdated | UpdateFailed
