"""The runner: what an earlier runner left SENDING, the pacing's refusals, its own failures."""

from __future__ import annotations

import json
from typing import Any

import httpx

from inboxgraph.domain.ebay import EbayConversationType, EbayConversationUpdate
from inboxgraph.domain.jobs import BulkJobState
from inboxgraph.domain.outcomes import ConversationUpdated, UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.domain.puffle import PuffleConversationStatus, PuffleConversationUpdate
from inboxgraph.domain.vcita import VcitaConversationUpdate
from inboxgraph.jobs.runner import JobRunner
from inboxgraph.jobs.store import Claim, MemoryJobStore
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import answer, puffle_id
from tests.support import live_settings, mock_upstream, record_upstream, sandbox_settings


def upstream_answers(request: httpx.Request) -> httpx.Response:
    status, body = answer(request.method, request.url.path, json.loads(request.content))
    return httpx.Response(status, json=body)


def archive(n: int, status: PuffleConversationStatus = PuffleConversationStatus.ARCHIVED) -> Any:
    return PuffleConversationUpdate(puffle_id(n), status=status)


NOTE = VcitaConversationUpdate("uid1", follow_up=True, follow_up_message="call back")


async def job_of(store: MemoryJobStore, updates: list[ConversationUpdate]) -> str:
    return (await store.create("default", updates)).id


async def test_items_left_sending_are_sent_again_only_when_safe() -> None:
    transport, seen = mock_upstream(upstream_answers)
    upstreams = connect_upstreams(live_settings(), transport=transport)
    store = MemoryJobStore(retention_seconds=60)
    job_id = await job_of(store, [archive(0), NOTE, archive(2)])
    # A runner claimed the first two, then stopped without a word.
    dead = await store.acquire("default", job_id, start=True)
    assert dead is not None
    assert await dead.claim([0, 1]) is Claim.CLAIMED
    await dead.let_go()

    run = await store.acquire("default", job_id, start=True)
    assert run is not None
    await JobRunner(upstreams.tenants).run(run)

    job = await store.get("default", job_id)
    results = await store.results("default", job_id, 0, 10)
    assert job is not None
    assert (job.state, job.succeeded, job.failed) == (BulkJobState.FINISHED, 2, 1)
    assert isinstance(results[0].result, ConversationUpdated)
    interrupted = results[1].result
    assert isinstance(interrupted, UpdateFailed)
    assert interrupted.code is UpdateErrorCode.INTERRUPTED
    assert interrupted.may_have_been_applied
    # The vcita note is never sent again; both Puffle updates are sent.
    assert sorted(r.url.path for r in seen) == sorted(
        f"/api/conversations/{puffle_id(n)}" for n in (0, 2)
    )


async def test_an_item_the_pacing_refused_waits_its_turn_with_its_conversation() -> None:
    refused: set[str] = set()

    def once_rate_limited(request: httpx.Request) -> httpx.Response:
        if puffle_id(1) in request.url.path and not refused:
            refused.add(request.url.path)
            return httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "slow down"})
        return upstream_answers(request)

    transport, seen = mock_upstream(once_rate_limited)
    # Without the client's own retries, the 429 reaches the runner, which puts it back.
    settings = live_settings(INBOXGRAPH_RETRY_ATTEMPTS="1")
    upstreams = connect_upstreams(settings, transport=transport)
    store = MemoryJobStore(retention_seconds=60)
    active = PuffleConversationStatus.ACTIVE
    job_id = await job_of(store, [archive(1), archive(2), archive(1, active)])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    run = await store.acquire("default", job_id, start=True)
    assert run is not None
    await JobRunner(upstreams.tenants, sleep=sleep).run(run)

    job = await store.get("default", job_id)
    assert job is not None
    assert (job.state, job.succeeded) == (BulkJobState.FINISHED, 3)
    sent_to_1 = [json.loads(r.content) for r in seen if puffle_id(1) in r.url.path]
    # Refused, sent again, and only then the later update of the same conversation.
    assert sent_to_1 == [{"status": "archived"}, {"status": "archived"}, {"status": "active"}]
    assert waits == [1.0]


async def test_a_failure_of_its_own_ends_the_job_with_every_item_internal() -> None:
    store = MemoryJobStore(retention_seconds=60)
    job_id = await job_of(store, [archive(0), archive(1)])
    run = await store.acquire("default", job_id, start=True)
    assert run is not None
    await JobRunner({}).run(run)  # no clients for this tenant: a bug of inboxgraph's own
    job = await store.get("default", job_id)
    results = await store.results("default", job_id, 0, 10)
    assert job is not None
    assert (job.state, job.failed) == (BulkJobState.FINISHED, 2)
    assert all(
        isinstance(r.result, UpdateFailed) and r.result.code is UpdateErrorCode.INTERNAL
        for r in results
    )


async def test_a_cancelled_job_ends_without_sending() -> None:
    transport, seen = mock_upstream(upstream_answers)
    upstreams = connect_upstreams(live_settings(), transport=transport)
    store = MemoryJobStore(retention_seconds=60)
    job_id = await job_of(store, [archive(0), archive(1)])
    await store.request_cancel("default", job_id)
    run = await store.acquire("default", job_id, start=True)
    assert run is not None
    await JobRunner(upstreams.tenants).run(run)
    job = await store.get("default", job_id)
    assert job is not None
    assert (job.state, job.failed) == (BulkJobState.CANCELLED, 2)
    assert seen == []


async def test_ebay_items_go_out_in_bulk_calls_each_claimed_and_settled() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    store = MemoryJobStore(retention_seconds=60)
    updates: list[ConversationUpdate] = [
        EbayConversationUpdate("1000000000001", EbayConversationType.FROM_MEMBERS, read=True),
        EbayConversationUpdate("1000000000002", EbayConversationType.FROM_EBAY, read=True),
        # Unknown to the sandbox: eBay answers it FAILURE in the same bulk call.
        EbayConversationUpdate("1000000000009", EbayConversationType.FROM_MEMBERS, read=True),
    ]
    job_id = await job_of(store, updates)
    run = await store.acquire("default", job_id, start=True)
    assert run is not None
    await JobRunner(upstreams.tenants).run(run)

    job = await store.get("default", job_id)
    assert job is not None
    assert (job.state, job.succeeded, job.failed) == (BulkJobState.FINISHED, 2, 1)
    [bulk_call] = [request for request in sent if request.method == "POST"]
    assert len(json.loads(bulk_call.content)["conversations"]) == 3
    results = [item.result for item in await store.results("default", job_id, 0, 10)]
    assert [type(result) for result in results] == [
        ConversationUpdated,
        ConversationUpdated,
        UpdateFailed,
    ]
