"""Bulk jobs as the API offers them: start, read, watch and cancel, per tenant.

`Jobs` keeps jobs in a `JobStore`, split into parts (`inboxgraph.jobs.parts`), and has
each part run by a `Launcher`: in this process (`InProcessLauncher`, when there is no
Redis) or by `inboxgraph worker` processes (`QueueLauncher`, which puts each part on the
Redis queue they take work from, so that several workers share one job).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any, Protocol

import redis.asyncio as aioredis
from arq.connections import ArqRedis

from inboxgraph.config import Settings
from inboxgraph.domain.jobs import BulkJob, BulkJobItem
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.jobs.parts import Partition, provider_partition, split_into_parts
from inboxgraph.jobs.redis_store import RedisJobStore
from inboxgraph.jobs.runner import JobRunner, TenantClients, end_cancelled
from inboxgraph.jobs.store import JobStore, MemoryJobStore
from inboxgraph.providers.registry import build_adapters
from inboxgraph.shared.redis import reaching_shared_state

logger = logging.getLogger("inboxgraph.jobs")

#: The Redis queue `inboxgraph worker` processes take jobs from.
QUEUE = "inboxgraph:jobs:queue"
#: The worker function that runs one job.
RUN_JOB = "run_bulk_job"
#: How long `cancel` waits for a running job to stop (its items in flight to settle).
CANCEL_WAIT_SECONDS = 5.0


class Launcher(Protocol):
    async def launch(self, tenant: str, job_id: str, parts: int) -> None:
        """Have each of the job's parts run."""
        ...

    async def aclose(self) -> None: ...


class Jobs:
    """Every tenant's bulk jobs; a tenant sees only its own."""

    def __init__(self, store: JobStore, launcher: Launcher, partition: Partition) -> None:
        self._store = store
        self._launcher = launcher
        self._partition = partition

    async def start(self, tenant: str, updates: Sequence[ConversationUpdate]) -> BulkJob:
        """Queue a job of `updates` and have its parts run; the job as queued."""
        parts = split_into_parts(updates, self._partition)
        job = await self._store.create(tenant, updates, parts)
        await self._launcher.launch(tenant, job.id, len(parts))
        return job

    async def get(self, tenant: str, job_id: str) -> BulkJob | None:
        return await self._store.get(tenant, job_id)

    async def results(self, tenant: str, job_id: str, offset: int, limit: int) -> list[BulkJobItem]:
        return await self._store.results(tenant, job_id, offset, limit)

    def progress(self, tenant: str, job_id: str) -> AsyncGenerator[BulkJob, None]:
        """The job now, then after every change, until it is finished."""
        return self._store.watch(tenant, job_id)

    async def cancel(
        self, tenant: str, job_id: str, *, wait: float = CANCEL_WAIT_SECONDS
    ) -> BulkJob | None:
        """Stop sending the job's items; the job once it has stopped (or, when its items in
        flight take longer than `wait`, as it is then). None when unknown."""
        job = await self._store.request_cancel(tenant, job_id)
        if job is None or job.state.finished:
            return job
        for part in range(await self._store.part_count(tenant, job_id)):
            run = await self._store.acquire(tenant, job_id, start=False, part=part)
            if run is not None:
                # Nobody runs this part (it is queued, or its worker died): end it here.
                await end_cancelled(run, await run.items())
        last = job
        try:
            async with asyncio.timeout(wait), aclosing(self.progress(tenant, job_id)) as changes:
                async for snapshot in changes:
                    last = snapshot
        except TimeoutError:
            pass
        return last

    async def aclose(self) -> None:
        await self._launcher.aclose()


class InProcessLauncher:
    """Runs each part of a job as a task of this process."""

    def __init__(self, store: JobStore, runner: JobRunner) -> None:
        self._store = store
        self._runner = runner
        self._tasks: set[asyncio.Task[None]] = set()

    async def launch(self, tenant: str, job_id: str, parts: int) -> None:
        for part in range(parts):
            # A context of its own: the job outlives the request that started it (its
            # deadline).
            task = asyncio.create_task(
                self._run(tenant, job_id, part), context=contextvars.Context()
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, tenant: str, job_id: str, part: int) -> None:
        run = await self._store.acquire(tenant, job_id, start=True, part=part)
        if run is not None:
            await self._runner.run(run)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class QueueLauncher:
    """Puts each part of a job on the Redis queue of `inboxgraph worker` processes."""

    def __init__(self, queue: ArqRedis) -> None:
        self._queue = queue

    async def launch(self, tenant: str, job_id: str, parts: int) -> None:
        with reaching_shared_state():
            for part in range(parts):
                await self._queue.enqueue_job(
                    RUN_JOB, tenant, job_id, part, _job_id=f"{tenant}:{job_id}:{part}"
                )

    async def aclose(self) -> None:
        pass


def job_queue(client: aioredis.Redis) -> ArqRedis:
    """arq's view of the Redis `client` reaches, on the same connections. Jobs' arguments
    travel as JSON, not pickle: nothing read from Redis is ever unpickled."""
    return ArqRedis(
        pool_or_conn=client.connection_pool,
        default_queue_name=QUEUE,
        job_serializer=to_json,
        job_deserializer=json.loads,
    )


def to_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def connect_jobs(settings: Settings, tenants: TenantClients, redis: aioredis.Redis | None) -> Jobs:
    """In this process without Redis; in Redis, run by workers, with it."""
    partition = provider_partition(build_adapters(settings))
    if redis is None:
        store = MemoryJobStore(retention_seconds=settings.jobs.retention_seconds)
        return Jobs(store, InProcessLauncher(store, JobRunner(tenants)), partition)
    return Jobs(RedisJobStore(redis, settings.jobs), QueueLauncher(job_queue(redis)), partition)
