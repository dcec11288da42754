"""A job's parts: how items are split, how stores hold each part apart and end the job
with its last part, and how one runner's parts share its provider slots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis

from inboxgraph.config import JobSettings, load_settings
from inboxgraph.domain.ayrshare import (
    AyrshareConversationStatus,
    AyrshareConversationUpdate,
    AyrsharePlatform,
)
from inboxgraph.domain.jobs import BulkJobState, ItemState
from inboxgraph.domain.outcomes import ConversationUpdated
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.domain.puffle import (
    PuffleConversation,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.jobs.parts import PART_SIZE, provider_partition, split_into_parts
from inboxgraph.jobs.redis_store import ACTIVE, RedisJobStore
from inboxgraph.jobs.runner import JobRunner
from inboxgraph.jobs.service import Jobs
from inboxgraph.jobs.store import Claim, JobStore, MemoryJobStore
from inboxgraph.providers.registry import build_adapters
from inboxgraph.secrets import Secret
from inboxgraph.shared.redis import redis_client
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import SlowUpstream, eventually, puffle_id
from tests.support import live_settings

PARTITION = provider_partition(build_adapters(load_settings({})))


def archive(
    n: int, status: PuffleConversationStatus = PuffleConversationStatus.ARCHIVED
) -> PuffleConversationUpdate:
    return PuffleConversationUpdate(puffle_id(n), status=status)


def ayrshare(n: int, profile: str | None = None) -> AyrshareConversationUpdate:
    return AyrshareConversationUpdate(
        AyrsharePlatform.INSTAGRAM, f"conversation{n}", AyrshareConversationStatus.ARCHIVED, profile
    )


def test_parts_take_items_in_input_order() -> None:
    parts = split_into_parts([archive(n) for n in range(250)], PARTITION)
    assert parts == [list(range(100)), list(range(100, 200)), list(range(200, 250))]
    assert PART_SIZE == 100


def test_a_conversation_stays_in_the_part_it_was_first_seen_in() -> None:
    updates = [archive(n) for n in range(150)]
    updates.append(archive(3, PuffleConversationStatus.ACTIVE))  # conversation 3 again
    parts = split_into_parts(updates, PARTITION)
    assert parts == [[*range(100), 150], list(range(100, 150))]


def test_a_rate_limited_providers_updates_get_one_part_per_scope() -> None:
    updates: list[ConversationUpdate] = []
    for n in range(150):
        updates += [ayrshare(n), archive(n)]
    updates.append(ayrshare(0, profile="other-profile"))
    parts = split_into_parts(updates, PARTITION)
    # Puffle's parts of 100; one part for Ayrshare's primary profile, one for the other.
    assert parts == [
        list(range(1, 200, 2)),
        list(range(0, 300, 2)),
        list(range(201, 300, 2)),
        [300],
    ]


def test_a_job_without_items_has_one_empty_part() -> None:
    assert split_into_parts([], PARTITION) == [[]]


# --- Stores: each part held apart, the job ending with its last part ---


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[JobStore]:
    if request.param == "memory":
        yield MemoryJobStore(retention_seconds=60)
        return
    client = redis_client(Secret(request.getfixturevalue("redis_url")))
    yield RedisJobStore(client, JobSettings(retention_seconds=60, lease_seconds=10))
    await client.aclose()


UPDATES = [archive(n) for n in range(3)]


async def test_each_part_is_held_on_its_own(store: JobStore) -> None:
    job = await store.create("t", UPDATES, [[0, 2], [1]])
    assert await store.part_count("t", job.id) == 2
    first = await store.acquire("t", job.id, start=True, part=0)
    second = await store.acquire("t", job.id, start=True, part=1)
    assert first is not None and second is not None
    assert await store.acquire("t", job.id, start=True, part=0) is None
    assert await store.acquire("t", job.id, start=True, part=2) is None  # no such part
    assert [(i.index, i.update) for i in await first.items()] == [(0, UPDATES[0]), (2, UPDATES[2])]
    assert [i.index for i in await second.items()] == [1]
    # Both send at once.
    assert await first.claim([0]) is Claim.CLAIMED
    assert await second.claim([1]) is Claim.CLAIMED
    assert [i.state for i in await first.items()] == [ItemState.SENDING, ItemState.PENDING]
    await second.let_go()
    again = await store.acquire("t", job.id, start=True, part=1)
    assert again is not None
    assert not await second.settle({1: updated(1)})  # its hold is gone
    assert await again.settle({1: updated(1)})


async def test_the_job_ends_with_its_last_part(store: JobStore) -> None:
    job = await store.create("t", UPDATES, [[0], [1, 2]])
    first = await store.acquire("t", job.id, start=True, part=0)
    second = await store.acquire("t", job.id, start=True, part=1)
    assert first is not None and second is not None
    await first.claim([0])
    await first.settle({0: updated(0)})
    await first.finish(BulkJobState.FINISHED)
    running = await store.get("t", job.id)
    assert running is not None
    assert (running.state, running.done, running.finished_at) == (BulkJobState.RUNNING, 1, None)
    assert await store.acquire("t", job.id, start=True, part=0) is None  # finished
    await second.claim([1, 2])
    await second.settle({1: updated(1), 2: updated(2)})
    await second.finish(BulkJobState.FINISHED)
    finished = await store.get("t", job.id)
    assert finished is not None
    assert (finished.state, finished.succeeded) == (BulkJobState.FINISHED, 3)
    assert finished.finished_at is not None
    if isinstance(store, RedisJobStore):
        assert not await store.client.sismember(ACTIVE, f"t/{job.id}")  # type: ignore[misc]


async def test_a_job_one_of_whose_parts_ended_cancelled_is_cancelled(store: JobStore) -> None:
    job = await store.create("t", UPDATES, [[0], [1, 2]])
    first = await store.acquire("t", job.id, start=True, part=0)
    second = await store.acquire("t", job.id, start=True, part=1)
    assert first is not None and second is not None
    await first.finish(BulkJobState.CANCELLED)
    await second.finish(BulkJobState.FINISHED)
    ended = await store.get("t", job.id)
    assert ended is not None
    assert ended.state is BulkJobState.CANCELLED


async def test_a_finished_jobs_keys_all_expire(redis_url: str) -> None:
    client: aioredis.Redis = redis_client(Secret(redis_url))
    jobs = RedisJobStore(client, JobSettings(retention_seconds=0.2, lease_seconds=10))
    job = await jobs.create("t", UPDATES, [[0], [1, 2]])
    for part in (0, 1):
        run = await jobs.acquire("t", job.id, start=True, part=part)
        assert run is not None
        await run.finish(BulkJobState.FINISHED)
    await asyncio.sleep(0.3)
    assert await client.keys(f"*{job.id}*") == []
    await client.aclose()


def updated(n: int) -> ConversationUpdated:
    return ConversationUpdated(
        UPDATES[n].provider,
        PuffleConversation(
            puffle_id(n),
            PuffleConversationStatus.ARCHIVED,
            unread_count=0,
            channel="linkedin",
            participant_name=None,
            last_message_at=None,
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
    )


# --- One runner, many parts: its provider slots are shared ---


async def test_a_runners_parts_share_its_provider_slots() -> None:
    upstream = SlowUpstream()
    upstreams = connect_upstreams(live_settings(), transport=upstream.transport())
    store = MemoryJobStore(retention_seconds=60)
    updates = [archive(n) for n in range(300)]
    parts = split_into_parts(updates, PARTITION)
    job = await store.create("default", updates, parts)
    runner = JobRunner(upstreams.tenants)
    runs: list[Any] = [
        await store.acquire("default", job.id, start=True, part=n) for n in range(len(parts))
    ]
    running = [asyncio.create_task(runner.run(run)) for run in runs]
    # Three parts at once, and still Puffle's 8 requests in flight, 8 items SENDING.
    await eventually(lambda: upstream.total == 8)
    await asyncio.sleep(0.1)
    sending = [item for run in runs for item in await run.items()]
    assert upstream.total == 8
    assert sum(item.state is ItemState.SENDING for item in sending) == 8
    upstream.open()
    await asyncio.gather(*running)
    finished = await store.get("default", job.id)
    assert finished is not None
    assert (finished.state, finished.succeeded) == (BulkJobState.FINISHED, 300)
    assert sorted(upstream.arrived.values()) == [1] * 300
    await upstreams.aclose()


class Queued:
    """A launcher whose parts wait on a queue nobody reads."""

    async def launch(self, tenant: str, job_id: str, parts: int) -> None:
        pass

    async def aclose(self) -> None:
        pass


async def test_cancelling_a_queued_job_ends_every_part(store: JobStore) -> None:
    jobs = Jobs(store, Queued(), PARTITION)
    job = await jobs.start("t", [archive(n) for n in range(250)])
    assert await store.part_count("t", job.id) == 3
    cancelled = await jobs.cancel("t", job.id, wait=1)
    assert cancelled is not None
    assert (cancelled.state, cancelled.failed) == (BulkJobState.CANCELLED, 250)
    for part in range(3):
        assert await store.acquire("t", job.id, start=True, part=part) is None
