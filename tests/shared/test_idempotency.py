"""Idempotency records, in memory and in Redis alike: a key is claimed once, answered once,
refused for another input, and forgotten when its time is up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from inboxgraph.secrets import Secret
from inboxgraph.shared.idempotency import (
    Answered,
    Claimed,
    Conflict,
    IdempotencyStore,
    MemoryIdempotency,
    RedisIdempotency,
    StillRunning,
)
from inboxgraph.shared.redis import redis_client

Make = Callable[..., IdempotencyStore]


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Make]:
    if request.param == "memory":
        yield lambda retention=60.0, running=60.0: MemoryIdempotency(
            retention_seconds=retention, running_seconds=running
        )
        return
    client = redis_client(Secret(request.getfixturevalue("redis_url")))
    yield lambda retention=60.0, running=60.0: RedisIdempotency(
        client, retention_seconds=retention, running_seconds=running
    )
    await client.aclose()


async def test_a_key_answers_its_input_and_refuses_another(make: Make) -> None:
    store = make()
    assert await store.claim("t", "k", "input-1", wait=0) == Claimed()
    await store.answer("t", "k", "input-1", "the answer")
    assert await store.claim("t", "k", "input-1", wait=0) == Answered("the answer")
    assert await store.claim("t", "k", "input-2", wait=0) == Conflict()


async def test_tenants_have_their_own_keys(make: Make) -> None:
    store = make()
    assert await store.claim("a", "k", "input-1", wait=0) == Claimed()
    await store.answer("a", "k", "input-1", "a's answer")
    assert await store.claim("b", "k", "input-2", wait=0) == Claimed()


async def test_a_repeat_waits_for_the_first_request(make: Make) -> None:
    store = make()
    assert await store.claim("t", "k", "input", wait=0) == Claimed()
    repeat = asyncio.create_task(store.claim("t", "k", "input", wait=5))
    await asyncio.sleep(0.1)
    assert not repeat.done()
    await store.answer("t", "k", "input", "first")
    assert await repeat == Answered("first")


async def test_a_repeat_gives_up_waiting(make: Make) -> None:
    store = make()
    await store.claim("t", "k", "input", wait=0)
    assert await store.claim("t", "k", "input", wait=0.1) == StillRunning()


async def test_a_released_claim_frees_the_key(make: Make) -> None:
    store = make()
    await store.claim("t", "k", "input-1", wait=0)
    await store.release("t", "k", "input-1")
    assert await store.claim("t", "k", "input-2", wait=0) == Claimed()


async def test_a_claim_never_answered_expires(make: Make) -> None:
    store = make(running=0.2)
    await store.claim("t", "k", "input-1", wait=0)
    waiting = asyncio.create_task(store.claim("t", "k", "input-1", wait=2))
    await asyncio.sleep(0.3)
    # The first request died: the waiting repeat runs it instead.
    assert await waiting == Claimed()


async def test_an_answer_is_kept_for_its_retention(make: Make) -> None:
    store = make(retention=0.2)
    await store.claim("t", "k", "input-1", wait=0)
    await store.answer("t", "k", "input-1", "first")
    await asyncio.sleep(0.3)
    assert await store.claim("t", "k", "input-2", wait=0) == Claimed()


async def test_memory_forgets_expired_records() -> None:
    now = [0.0]
    store = MemoryIdempotency(retention_seconds=10, running_seconds=5, clock=lambda: now[0])
    for n in range(3):
        await store.claim("t", f"k{n}", "input", wait=0)
        await store.answer("t", f"k{n}", "input", "a")
    assert len(store) == 3
    now[0] = 10 + MemoryIdempotency.SWEEP_SECONDS
    await store.claim("t", "other", "input", wait=0)
    assert len(store) == 1
