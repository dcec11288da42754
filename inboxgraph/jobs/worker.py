"""`inboxgraph worker`: runs the jobs API processes queue in Redis, as an arq worker.

Each part of a job is one arq job, so the workers share a job's parts. A worker holds
each part it runs with a lease it renews every third of INBOXGRAPH_JOB_LEASE_SECONDS.
Every worker also looks, every half of it, for parts of RUNNING jobs nobody holds any
more (their worker died) and queues them again, so that another worker takes them over
about a lease after their worker stopped; the runner then deals with the items left
SENDING (see `runner.recover`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from arq.worker import Worker, func

from inboxgraph.config import Settings
from inboxgraph.jobs.redis_store import RedisJobRun, RedisJobStore
from inboxgraph.jobs.runner import JobRunner
from inboxgraph.jobs.service import QUEUE, RUN_JOB, job_queue, to_json
from inboxgraph.shared.redis import SharedStateUnavailable, redis_client
from inboxgraph.upstreams import connect_upstreams

logger = logging.getLogger("inboxgraph.jobs")

#: arq's cut-off for one run of a job; a job running longer is taken over, not lost.
RUN_TIMEOUT = timedelta(days=1)
_WORKER = "inboxgraph"


class JobWorker:
    """What one worker process runs jobs with: the provider clients of every tenant (its
    own sandbox emulators where a provider is sandboxed), the job store and the queue."""

    def __init__(self, settings: Settings) -> None:
        if settings.redis_url is None:
            raise ValueError("a worker needs INBOXGRAPH_REDIS_URL")
        self._lease = settings.jobs.lease_seconds
        self._upstreams = connect_upstreams(settings)
        self._redis = redis_client(settings.redis_url)
        self.store = RedisJobStore(self._redis, settings.jobs)
        self.queue = job_queue(self._redis)
        self._runner = JobRunner(self._upstreams.tenants)
        self._sweeper: asyncio.Task[None] | None = None

    async def run(self, tenant: str, job_id: str, part: int) -> None:
        """Run one part of the job, unless it is finished or another worker holds it."""
        run = await self.store.acquire(tenant, job_id, start=True, part=part)
        if run is None:
            logger.info(
                "job %s part %d: finished, unknown, or held by another worker", job_id, part
            )
            return
        renewing = asyncio.create_task(self._renew(run))
        try:
            await self._runner.run(run)
        finally:
            renewing.cancel()
            with contextlib.suppress(SharedStateUnavailable):
                await run.let_go()

    async def _renew(self, run: RedisJobRun) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                if not await run.renew():
                    logger.warning("job %s part %d: its lease was lost", run.job_id, run.part)
                    return
            except SharedStateUnavailable as error:
                logger.warning("job %s part %d: lease not renewed: %s", run.job_id, run.part, error)

    async def take_over_orphans(self) -> int:
        """Queue again the parts of RUNNING jobs nobody holds; how many were queued."""
        queued = 0
        for tenant, job_id, part in await self.store.orphans():
            if await self.store.take_over(tenant, job_id, part):
                # A new arq id: the dead worker's run of the part still counts as in progress.
                await self.queue.enqueue_job(
                    RUN_JOB,
                    tenant,
                    job_id,
                    part,
                    _job_id=f"{tenant}:{job_id}:{part}:{uuid.uuid4().hex}",
                )
                logger.warning("job %s part %d: its worker stopped; queued again", job_id, part)
                queued += 1
        return queued

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 2)
            try:
                await self.take_over_orphans()
            except SharedStateUnavailable as error:
                logger.warning("looking for orphaned jobs: %s", error)

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self._upstreams.aclose()


async def run_bulk_job(ctx: dict[str, Any], tenant: str, job_id: str, part: int = 0) -> None:
    """The arq function: run one part of a job."""
    worker: JobWorker = ctx[_WORKER]
    await worker.run(tenant, job_id, part)


def job_worker(settings: Settings, *, max_jobs: int) -> Worker:
    """An arq worker running up to `max_jobs` parts of jobs at once (signals stop it:
    SIGTERM lets go of its parts, which another worker takes over)."""
    jobs = JobWorker(settings)

    async def startup(ctx: dict[str, Any]) -> None:
        ctx[_WORKER] = jobs
        jobs.start()

    async def shutdown(ctx: dict[str, Any]) -> None:
        await jobs.aclose()

    return Worker(
        functions=[func(run_bulk_job, name=RUN_JOB, timeout=RUN_TIMEOUT)],
        queue_name=QUEUE,
        redis_pool=jobs.queue,
        on_startup=startup,
        on_shutdown=shutdown,
        max_jobs=max_jobs,
        keep_result=0,
        job_serializer=to_json,
        job_deserializer=json.loads,
    )
