"""Jobs in a real Redis: one holder at a time, claims refused once cancelled or lost,
every change published, finished jobs expiring, orphans found."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from inboxgraph.config import JobSettings
from inboxgraph.domain.jobs import BulkJob, BulkJobState, ItemState, cancelled
from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import Provider
from inboxgraph.domain.puffle import PuffleConversationStatus, PuffleConversationUpdate
from inboxgraph.jobs.redis_store import ACTIVE, RedisJobStore
from inboxgraph.jobs.store import Claim
from inboxgraph.secrets import Secret
from inboxgraph.shared.redis import redis_client
from tests.jobs.support import puffle_id

UPDATES = [
    PuffleConversationUpdate(puffle_id(n), PuffleConversationStatus.ARCHIVED) for n in range(3)
]
FAILED = UpdateFailed(Provider.PUFFLE, UpdateErrorCode.NOT_FOUND, "gone", provider_status=404)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = redis_client(Secret(redis_url))
    yield client
    await client.aclose()


def store(client: aioredis.Redis, *, lease: float = 10.0, retention: float = 60.0) -> RedisJobStore:
    return RedisJobStore(client, JobSettings(retention_seconds=retention, lease_seconds=lease))


async def test_one_runner_holds_a_job_at_a_time(client: aioredis.Redis) -> None:
    jobs = store(client)
    job = await jobs.create("t", UPDATES)
    first = await jobs.acquire("t", job.id, start=True)
    assert first is not None
    assert await jobs.acquire("t", job.id, start=True) is None
    seen = await jobs.get("t", job.id)
    assert seen is not None
    assert seen.state is BulkJobState.RUNNING
    await first.let_go()
    assert await jobs.acquire("t", job.id, start=True) is not None


async def test_a_runner_whose_lease_lapsed_can_claim_and_record_nothing(
    client: aioredis.Redis,
) -> None:
    jobs = store(client, lease=0.2)
    job = await jobs.create("t", UPDATES)
    stale = await jobs.acquire("t", job.id, start=True)
    assert stale is not None
    await asyncio.sleep(0.3)
    fresh = await jobs.acquire("t", job.id, start=True)
    assert fresh is not None
    assert await stale.claim([0]) is Claim.LOST
    assert not await stale.settle({0: FAILED})
    assert not await stale.renew()
    await stale.finish(BulkJobState.FINISHED)
    assert await fresh.claim([0]) is Claim.CLAIMED
    after = await jobs.get("t", job.id)
    assert after is not None
    assert (after.state, after.done) == (BulkJobState.RUNNING, 0)


async def test_claims_stop_once_the_job_is_cancelled(client: aioredis.Redis) -> None:
    jobs = store(client)
    job = await jobs.create("t", UPDATES)
    run = await jobs.acquire("t", job.id, start=True)
    assert run is not None
    assert await run.claim([0]) is Claim.CLAIMED
    await jobs.request_cancel("t", job.id)
    assert await run.claim([1]) is Claim.CANCELLED
    assert await run.cancel_requested()
    states = [item.state for item in await run.items()]
    assert states == [ItemState.SENDING, ItemState.PENDING, ItemState.PENDING]


async def test_an_item_keeps_its_first_outcome(client: aioredis.Redis) -> None:
    jobs = store(client)
    job = await jobs.create("t", UPDATES)
    run = await jobs.acquire("t", job.id, start=True)
    assert run is not None
    await run.claim([0, 2])
    assert await run.settle({0: FAILED, 2: cancelled(UPDATES[2])})
    assert await run.settle({0: cancelled(UPDATES[0])})
    assert await run.claim([0]) is Claim.CLAIMED  # a final item stays final
    seen = await jobs.get("t", job.id)
    assert seen is not None
    assert (seen.succeeded, seen.failed, seen.done) == (0, 2, 2)
    results = await jobs.results("t", job.id, 0, 100)
    assert [(r.index, r.result) for r in results] == [(0, FAILED), (2, cancelled(UPDATES[2]))]
    assert [r.index for r in await jobs.results("t", job.id, 1, 2)] == [2]
    items = await run.items()
    assert [item.update for item in items] == UPDATES
    assert [item.state for item in items] == [
        ItemState.FAILED,
        ItemState.PENDING,
        ItemState.CANCELLED,
    ]


async def test_watch_tells_every_change_and_ends_with_the_job(client: aioredis.Redis) -> None:
    jobs = store(client)
    job = await jobs.create("t", UPDATES[:2])
    seen: list[BulkJob] = []
    subscribed = asyncio.Event()

    async def watch() -> None:
        async for snapshot in jobs.watch("t", job.id):
            seen.append(snapshot)
            subscribed.set()

    watching = asyncio.create_task(watch())
    await subscribed.wait()
    run = await jobs.acquire("t", job.id, start=True)
    assert run is not None
    await run.claim([0, 1])
    await run.settle({0: FAILED})
    await run.settle({1: FAILED})
    await run.finish(BulkJobState.FINISHED)
    await asyncio.wait_for(watching, 5)
    assert [(s.state, s.done) for s in seen] == [
        (BulkJobState.QUEUED, 0),
        (BulkJobState.RUNNING, 0),
        (BulkJobState.RUNNING, 1),
        (BulkJobState.RUNNING, 2),
        (BulkJobState.FINISHED, 2),
    ]
    assert seen[-1].finished_at is not None


async def test_a_finished_job_expires_and_leaves_the_active_jobs(client: aioredis.Redis) -> None:
    jobs = store(client, retention=0.2)
    job = await jobs.create("t", UPDATES[:1])
    assert await client.sismember(ACTIVE, f"t/{job.id}")  # type: ignore[misc]
    run = await jobs.acquire("t", job.id, start=True)
    assert run is not None
    await run.finish(BulkJobState.FINISHED)
    assert not await client.sismember(ACTIVE, f"t/{job.id}")  # type: ignore[misc]
    assert await jobs.get("t", job.id) is not None
    await asyncio.sleep(0.3)
    assert await jobs.get("t", job.id) is None
    assert await client.keys(f"*{job.id}*") == []


async def test_orphans_are_parts_of_running_jobs_nobody_holds_any_more(
    client: aioredis.Redis,
) -> None:
    jobs = store(client, lease=0.5)
    queued = await jobs.create("t", UPDATES)
    orphaned = await jobs.create("t", UPDATES, [[0], [1], [2]])
    first = await jobs.acquire("t", orphaned.id, start=True, part=0)
    second = await jobs.acquire("t", orphaned.id, start=True, part=1)
    assert first is not None and second is not None
    assert await jobs.orphans() == []
    await second.let_go()  # as if its worker died
    await first.finish(BulkJobState.FINISHED)
    # Part 2 was never held: it is still on the queue, not orphaned.
    assert await jobs.orphans() == [("t", orphaned.id, 1)]
    assert await jobs.take_over("t", orphaned.id, 1)
    assert not await jobs.take_over("t", orphaned.id, 1)
    assert queued.id not in {job_id for _, job_id, _ in await jobs.orphans()}


async def test_another_tenant_sees_nothing(client: aioredis.Redis) -> None:
    jobs = store(client)
    job = await jobs.create("a", UPDATES)
    assert await jobs.get("b", job.id) is None
    assert await jobs.request_cancel("b", job.id) is None
    assert await jobs.acquire("b", job.id, start=True) is None
    assert await jobs.results("b", job.id, 0, 10) == []
    assert [s async for s in jobs.watch("b", job.id)] == []
    assert await jobs.get("a", "../" + job.id) is None
