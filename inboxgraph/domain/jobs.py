"""Bulk jobs: many updates queued together, their state and each item's result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed, UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate


class BulkJobState(Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        """Whether the job will change no more."""
        return self in {BulkJobState.FINISHED, BulkJobState.CANCELLED}


class ItemState(Enum):
    """Where one item of a job stands. An item goes PENDING -> SENDING -> one of the
    last three; SENDING means it may be on its way to the provider."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @classmethod
    def of(cls, outcome: UpdateOutcome) -> ItemState:
        """The final state an item with `outcome` ends in."""
        if not isinstance(outcome, UpdateFailed):
            return cls.SUCCEEDED
        return cls.CANCELLED if outcome.code is UpdateErrorCode.CANCELLED else cls.FAILED


@dataclass(frozen=True, slots=True)
class BulkJob:
    """A job as its caller sees it at one moment."""

    id: str
    state: BulkJobState
    total: int
    succeeded: int
    failed: int
    created_at: datetime
    finished_at: datetime | None = None

    @property
    def done(self) -> int:
        """Items with a result so far."""
        return self.succeeded + self.failed


@dataclass(frozen=True, slots=True)
class BulkJobItem:
    """One item's result, at its position in the job's inputs."""

    index: int
    result: UpdateOutcome


def cancelled(update: ConversationUpdate) -> UpdateFailed:
    """The result of an item its job was cancelled before sending."""
    return UpdateFailed(
        provider=update.provider,
        code=UpdateErrorCode.CANCELLED,
        message="the job was cancelled before this item was sent; nothing was sent",
    )


def interrupted(update: ConversationUpdate) -> UpdateFailed:
    """The result of an item whose sender stopped before its answer was recorded."""
    return UpdateFailed(
        provider=update.provider,
        code=UpdateErrorCode.INTERRUPTED,
        message=(
            "the worker sending this item stopped before its answer was recorded, and "
            "sending it again could apply it twice: read the conversation before sending "
            "it again"
        ),
        may_have_been_applied=True,
    )
