"""Where jobs are kept: what the service and the runner ask of a store, and the store of a
process that runs its own jobs (memory).

A job's items are split into parts (`inboxgraph.jobs.parts`), and a runner holds one part
of a job: several runners, in one process or several, may run one job's parts at once.
The job finishes when its last part does."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Protocol

from inboxgraph.domain.jobs import BulkJob, BulkJobItem, BulkJobState, ItemState
from inboxgraph.domain.outcomes import UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate

Clock = Callable[[], float]
Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_job_id() -> str:
    return uuid.uuid4().hex


class Claim(Enum):
    """What became of a runner's claim on items it is about to send."""

    #: The items are SENDING: send them.
    CLAIMED = "CLAIMED"
    #: The job was cancelled: send nothing more.
    CANCELLED = "CANCELLED"
    #: Another runner holds the job now: send nothing more, record nothing.
    LOST = "LOST"


@dataclass(frozen=True)
class JobItem:
    index: int
    update: ConversationUpdate
    state: ItemState


class JobRun(Protocol):
    """One runner's hold on one part of a job. While a runner holds a part no other runner
    claims or records its items; every call but `items` fails (LOST, False) once the hold
    is gone."""

    @property
    def tenant(self) -> str: ...

    @property
    def job_id(self) -> str: ...

    @property
    def part(self) -> int: ...

    async def items(self) -> list[JobItem]:
        """Every item of the part with its update and state, in input order."""
        ...

    async def claim(self, indices: Sequence[int]) -> Claim:
        """Mark PENDING items SENDING, unless the job was cancelled or the hold lost."""
        ...

    async def release(self, indices: Sequence[int]) -> bool:
        """Put SENDING items back to PENDING: they were not sent."""
        ...

    async def settle(self, results: Mapping[int, UpdateOutcome]) -> bool:
        """Record items' final outcomes (an item already final keeps its own)."""
        ...

    async def cancel_requested(self) -> bool: ...

    async def renew(self) -> bool:
        """Keep holding the part; False when the hold was lost."""
        ...

    async def finish(self, state: BulkJobState) -> None:
        """End the part in `state` (FINISHED or CANCELLED) and let it go. The job ends with
        its last part: CANCELLED when any part ended so, otherwise FINISHED."""
        ...

    async def let_go(self) -> None:
        """Stop holding the part, leaving it as it is (another runner may take it over)."""
        ...


class JobStore(Protocol):
    async def create(
        self,
        tenant: str,
        updates: Sequence[ConversationUpdate],
        parts: Sequence[Sequence[int]] | None = None,
    ) -> BulkJob:
        """A new QUEUED job of `updates`, all PENDING, in `parts` (lists of indices, each
        in input order; by default one part of every item)."""
        ...

    async def part_count(self, tenant: str, job_id: str) -> int:
        """How many parts the job has (0 when it is unknown)."""
        ...

    async def get(self, tenant: str, job_id: str) -> BulkJob | None:
        """The job, or None when `tenant` has no such job (or it expired)."""
        ...

    async def results(self, tenant: str, job_id: str, offset: int, limit: int) -> list[BulkJobItem]:
        """The results of items offset..offset+limit-1 that have one, in input order."""
        ...

    async def request_cancel(self, tenant: str, job_id: str) -> BulkJob | None:
        """Ask the job to stop sending; the job as it is, or None when unknown."""
        ...

    def watch(self, tenant: str, job_id: str) -> AsyncGenerator[BulkJob, None]:
        """The job now, then after every change, ending once it is finished (or at once
        when unknown)."""
        ...

    async def acquire(
        self, tenant: str, job_id: str, *, start: bool, part: int = 0
    ) -> JobRun | None:
        """Hold one part of the job to run it (`start` marks the job RUNNING) or to end it;
        None when the job is unknown or finished, or the part finished or held by another
        runner."""
        ...


def all_in_one_part(updates: Sequence[ConversationUpdate]) -> list[list[int]]:
    return [list(range(len(updates)))]


@dataclass
class _Job:
    id: str
    updates: list[ConversationUpdate]
    states: list[ItemState]
    parts: list[list[int]]
    created_at: datetime
    state: BulkJobState = BulkJobState.QUEUED
    succeeded: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    results: dict[int, UpdateOutcome] = field(default_factory=dict)
    cancel: bool = False
    #: Part -> the token of the runner holding it.
    holders: dict[int, str] = field(default_factory=dict)
    ended: set[int] = field(default_factory=set)
    part_cancelled: bool = False
    listeners: set[asyncio.Queue[BulkJob]] = field(default_factory=set)

    def snapshot(self) -> BulkJob:
        return BulkJob(
            id=self.id,
            state=self.state,
            total=len(self.updates),
            succeeded=self.succeeded,
            failed=self.failed,
            created_at=self.created_at,
            finished_at=self.finished_at,
        )

    def changed(self) -> None:
        snapshot = self.snapshot()
        for listener in self.listeners:
            listener.put_nowait(snapshot)


class MemoryJobStore:
    """Jobs in this process's memory, forgotten `retention_seconds` after they finish."""

    def __init__(
        self, *, retention_seconds: float, clock: Clock = time.monotonic, now: Now = utc_now
    ) -> None:
        self._retention = retention_seconds
        self._clock = clock
        self._now = now
        self._jobs: dict[tuple[str, str], _Job] = {}
        self._expiring: deque[tuple[float, tuple[str, str]]] = deque()

    def __len__(self) -> int:
        return len(self._jobs)

    async def create(
        self,
        tenant: str,
        updates: Sequence[ConversationUpdate],
        parts: Sequence[Sequence[int]] | None = None,
    ) -> BulkJob:
        job = _Job(
            id=new_job_id(),
            updates=list(updates),
            states=[ItemState.PENDING] * len(updates),
            parts=[list(part) for part in parts or all_in_one_part(updates)],
            created_at=self._now(),
        )
        self._jobs[(tenant, job.id)] = job
        return job.snapshot()

    async def part_count(self, tenant: str, job_id: str) -> int:
        job = self._find(tenant, job_id)
        return 0 if job is None else len(job.parts)

    async def get(self, tenant: str, job_id: str) -> BulkJob | None:
        job = self._find(tenant, job_id)
        return None if job is None else job.snapshot()

    async def results(self, tenant: str, job_id: str, offset: int, limit: int) -> list[BulkJobItem]:
        job = self._find(tenant, job_id)
        if job is None:
            return []
        return [
            BulkJobItem(index, job.results[index])
            for index in range(offset, min(offset + limit, len(job.updates)))
            if index in job.results
        ]

    async def request_cancel(self, tenant: str, job_id: str) -> BulkJob | None:
        job = self._find(tenant, job_id)
        if job is None:
            return None
        job.cancel = job.cancel or not job.state.finished
        return job.snapshot()

    async def watch(self, tenant: str, job_id: str) -> AsyncGenerator[BulkJob, None]:
        job = self._find(tenant, job_id)
        if job is None:
            return
        changes: asyncio.Queue[BulkJob] = asyncio.Queue()
        job.listeners.add(changes)
        try:
            snapshot = job.snapshot()
            yield snapshot
            while not snapshot.state.finished:
                snapshot = await changes.get()
                yield snapshot
        finally:
            job.listeners.discard(changes)

    async def acquire(
        self, tenant: str, job_id: str, *, start: bool, part: int = 0
    ) -> JobRun | None:
        job = self._find(tenant, job_id)
        if (
            job is None
            or job.state.finished
            or not 0 <= part < len(job.parts)
            or part in job.ended
            or part in job.holders
        ):
            return None
        token = job.holders[part] = uuid.uuid4().hex
        if start and job.state is BulkJobState.QUEUED:
            job.state = BulkJobState.RUNNING
            job.changed()
        return _MemoryRun(self, tenant, job, part, token)

    def _end_part(self, tenant: str, job: _Job, part: int, state: BulkJobState) -> None:
        del job.holders[part]
        job.ended.add(part)
        job.part_cancelled = job.part_cancelled or state is BulkJobState.CANCELLED
        if len(job.ended) < len(job.parts):
            return
        job.state = BulkJobState.CANCELLED if job.part_cancelled else BulkJobState.FINISHED
        job.finished_at = self._now()
        self._expiring.append((self._clock() + self._retention, (tenant, job.id)))
        job.changed()

    def _find(self, tenant: str, job_id: str) -> _Job | None:
        now = self._clock()
        while self._expiring and self._expiring[0][0] <= now:
            self._jobs.pop(self._expiring.popleft()[1], None)
        return self._jobs.get((tenant, job_id))


class _MemoryRun:
    def __init__(
        self, store: MemoryJobStore, tenant: str, job: _Job, part: int, token: str
    ) -> None:
        self._store = store
        self._tenant = tenant
        self._job = job
        self._part = part
        self._token = token

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def job_id(self) -> str:
        return self._job.id

    @property
    def part(self) -> int:
        return self._part

    @property
    def _holding(self) -> bool:
        return self._job.holders.get(self._part) == self._token

    async def items(self) -> list[JobItem]:
        job = self._job
        return [JobItem(i, job.updates[i], job.states[i]) for i in job.parts[self._part]]

    async def claim(self, indices: Sequence[int]) -> Claim:
        if not self._holding:
            return Claim.LOST
        if self._job.cancel:
            return Claim.CANCELLED
        for index in indices:
            if self._job.states[index] is ItemState.PENDING:
                self._job.states[index] = ItemState.SENDING
        return Claim.CLAIMED

    async def release(self, indices: Sequence[int]) -> bool:
        if not self._holding:
            return False
        for index in indices:
            if self._job.states[index] is ItemState.SENDING:
                self._job.states[index] = ItemState.PENDING
        return True

    async def settle(self, results: Mapping[int, UpdateOutcome]) -> bool:
        if not self._holding:
            return False
        job = self._job
        for index, outcome in results.items():
            if job.states[index] not in {ItemState.PENDING, ItemState.SENDING}:
                continue
            job.states[index] = state = ItemState.of(outcome)
            job.results[index] = outcome
            if state is ItemState.SUCCEEDED:
                job.succeeded += 1
            else:
                job.failed += 1
        job.changed()
        return True

    async def cancel_requested(self) -> bool:
        return self._job.cancel

    async def renew(self) -> bool:
        return self._holding

    async def finish(self, state: BulkJobState) -> None:
        if self._holding:
            self._store._end_part(self._tenant, self._job, self._part, state)

    async def let_go(self) -> None:
        if self._holding:
            del self._job.holders[self._part]
