"""The faults middleware in front of an emulator, in process: each fault as a client sees it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from inboxgraph.config.faults import FaultPlan
from inboxgraph.sandbox import puffle
from inboxgraph.sandbox.faults import (
    MALFORMED_BODY,
    FaultCounts,
    FaultInjector,
    InProcessTransport,
    with_faults,
)

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
AUTH = {"Authorization": f"Bearer {puffle.SANDBOX_TOKEN}"}


@asynccontextmanager
async def faulty_puffle(
    plan: FaultPlan, seed: int | None = 1
) -> AsyncIterator[tuple[httpx.AsyncClient, FaultCounts, puffle.PuffleState]]:
    state = puffle.PuffleState()
    app = with_faults(puffle.create_app(state), plan, seed=seed, name="puffle")
    assert isinstance(app, FaultInjector)
    transport = InProcessTransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://puffle") as client:
        yield client, app.counts, state


async def archive(client: httpx.AsyncClient) -> httpx.Response:
    return await client.patch(
        f"/api/conversations/{MINE}", json={"status": "archived"}, headers=AUTH
    )


def test_no_plan_leaves_the_emulator_bare() -> None:
    app = puffle.create_app()
    assert with_faults(app, None, seed=None, name="puffle") is app


async def test_latency_delays_every_answer() -> None:
    async with faulty_puffle(FaultPlan(latency_seconds=0.1)) as (client, counts, _):
        started = time.monotonic()
        response = await archive(client)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.1
    assert (counts.requests, counts.forwarded) == (1, 1)


async def test_an_error_is_answered_before_the_emulator_sees_the_request() -> None:
    async with faulty_puffle(FaultPlan(error_rate=1.0, error_status=502)) as (
        client,
        counts,
        state,
    ):
        response = await archive(client)
    assert response.status_code == 502
    assert state.conversations[MINE]["status"] == "active"
    assert (counts.errors, counts.forwarded) == (1, 0)


async def test_a_429_burst_then_answers() -> None:
    plan = FaultPlan(burst_429=2, retry_after_seconds=3)
    async with faulty_puffle(plan) as (client, counts, _):
        statuses = [(await archive(client)) for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 429, 200, 200]
    assert statuses[0].headers["retry-after"] == "3"
    assert counts.rate_limited == 2


async def test_429_bursts_repeat_every_period_and_may_omit_retry_after() -> None:
    plan = FaultPlan(burst_429=1, burst_every=3, retry_after_seconds=None)
    async with faulty_puffle(plan) as (client, _, _):
        statuses = [(await archive(client)) for _ in range(7)]
    assert [r.status_code for r in statuses] == [429, 200, 200, 429, 200, 200, 429]
    assert "retry-after" not in statuses[0].headers


async def test_a_timeout_answers_nothing_until_the_caller_gives_up() -> None:
    async with faulty_puffle(FaultPlan(timeout_rate=1.0)) as (client, counts, state):
        with pytest.raises(asyncio.TimeoutError):
            async with asyncio.timeout(0.2):
                await archive(client)
    assert counts.timeouts == 1
    assert state.conversations[MINE]["status"] == "active"


async def test_a_malformed_answer_comes_from_an_applied_request() -> None:
    async with faulty_puffle(FaultPlan(malformed_rate=1.0)) as (client, counts, state):
        response = await archive(client)
    assert response.status_code == 200
    assert response.content == MALFORMED_BODY
    assert int(response.headers["content-length"]) == len(MALFORMED_BODY)
    assert state.conversations[MINE]["status"] == "archived"
    assert (counts.malformed, counts.forwarded) == (1, 1)


async def test_a_dropped_connection_is_a_transport_error() -> None:
    async with faulty_puffle(FaultPlan(drop_rate=1.0)) as (client, counts, state):
        with pytest.raises(httpx.RemoteProtocolError):
            await archive(client)
    assert counts.dropped == 1
    assert state.conversations[MINE]["status"] == "active"


async def test_writes_only_spares_reads() -> None:
    async with faulty_puffle(FaultPlan(error_rate=1.0, writes_only=True)) as (client, _, _):
        read = await client.get("/api/conversations", headers=AUTH)
        write = await archive(client)
    assert (read.status_code, write.status_code) == (200, 503)


async def test_the_same_seed_draws_the_same_faults() -> None:
    plan = FaultPlan(error_rate=0.3, drop_rate=0.2, malformed_rate=0.2)

    async def outcomes(seed: int) -> list[str]:
        seen = []
        async with faulty_puffle(plan, seed=seed) as (client, _, _):
            for _ in range(30):
                try:
                    response = await archive(client)
                except httpx.TransportError:
                    seen.append("dropped")
                    continue
                seen.append(
                    "malformed" if response.content == MALFORMED_BODY else str(response.status_code)
                )
        return seen

    first, again, other = await outcomes(7), await outcomes(7), await outcomes(8)
    assert first == again
    assert first != other
    assert {"200", "503", "dropped", "malformed"} <= set(first)
