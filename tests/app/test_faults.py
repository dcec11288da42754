"""Every sandbox fault through `updateConversations` and through a bulk job run in the
serving process: each item gets one typed result, the process keeps serving, and no item
is lost or applied twice (counted at the emulator), nor sent twice when that is unsafe
(counted at the faults middleware)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.config.faults import parse_fault_plan
from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox import ebay, puffle, vcita
from inboxgraph.sandbox.faults import FaultCounts, FaultInjector, InProcessTransport, with_faults
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import finished, read_job, start
from tests.support import client_for, graphql, live_settings, sandbox_settings, update_many

#: Retries at once and calls cut short, so that faults cost little time.
QUICK = {"INBOXGRAPH_RETRY_BASE_SECONDS": "0", "INBOXGRAPH_TIMEOUT_SECONDS": "0.3"}
SEED = 7

#: Sends inputs and returns one result per input, in input order.
Send = Callable[[httpx.AsyncClient, list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]


async def through_job(
    client: httpx.AsyncClient, inputs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every item's result, through `startBulkUpdate` (run by this process, no Redis),
    polled with `bulkJob` until FINISHED and read page by page."""
    job = await start(client, inputs)
    done = await finished(client, job["id"], timeout=30)
    results: list[dict[str, Any]] = []
    for offset in range(0, len(inputs), 1000):
        page = await read_job(client, job["id"], offset=offset, limit=1000)
        assert page is not None
        results += page["results"]
    # Every item has exactly one result, at its own index, and the counts agree with them.
    assert [r["index"] for r in results] == list(range(len(inputs)))
    succeeded = sum(r["result"]["__typename"] == "ConversationUpdated" for r in results)
    assert (done["state"], done["total"], done["done"]) == ("FINISHED", len(inputs), len(inputs))
    assert (done["succeeded"], done["failed"]) == (succeeded, len(inputs) - succeeded)
    return [r["result"] for r in results]


#: Each fault test runs through both ways of sending many updates.
SENDS = pytest.mark.parametrize("send", [update_many, through_job], ids=["updates", "job"])


class Applied:
    """ASGI between the faults and an emulator: counts the update calls that reached the
    emulator and, per conversation, the updates it answered as applied."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        self.calls += 1
        request_body = bytearray()
        answer: dict[str, Any] = {"status": 0, "body": bytearray()}

        async def receiving() -> Any:
            message = await receive()
            request_body.extend(message.get("body", b""))
            return message

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"].extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receiving, sending)
        if not 200 <= answer["status"] < 300:
            return
        path = scope["path"]
        if path.endswith("/bulk_update_conversation"):
            for item in json.loads(bytes(answer["body"]))["conversationsResponse"]:
                if item["updateStatus"] == "SUCCESSFUL":
                    self.counts[item["conversationId"]] += 1
        else:
            self.counts[path.rstrip("/").rsplit("/", 1)[-1]] += 1


@dataclass
class Case:
    provider: Provider
    token: str
    inputs: list[dict[str, Any]]
    ids: list[str]

    def emulator(self) -> Any:
        if self.provider is Provider.EBAY:
            records = [
                {
                    "conversationId": i,
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": "ACTIVE",
                    "read": False,
                }
                for i in self.ids
            ]
            return ebay.create_app(ebay.EbayState(records))
        state = puffle.PuffleState()
        seed = state.conversations[puffle.seed_conversations()[0]["id"]]
        for i in self.ids:
            state.conversations[i] = {**seed, "id": i}
        return puffle.create_app(state)


def ebay_case(count: int) -> Case:
    ids = [str(2000000000000 + n) for n in range(count)]
    inputs = [
        {"ebay": {"conversationId": i, "conversationType": "FROM_MEMBERS", "read": True}}
        for i in ids
    ]
    return Case(Provider.EBAY, ebay.SANDBOX_TOKEN, inputs, ids)


def puffle_case(count: int) -> Case:
    ids = [str(uuid.UUID(int=n + 1, version=4)) for n in range(count)]
    inputs = [{"puffle": {"id": i, "status": "ARCHIVED"}} for i in ids]
    return Case(Provider.PUFFLE, puffle.SANDBOX_TOKEN, inputs, ids)


@asynccontextmanager
async def faulty(
    case: Case, faults: str, **env: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Applied, FaultCounts]]:
    """The app in live mode for `case.provider` (with `env` besides), against its emulator
    behind `faults`; what the emulator applied, and what the faults middleware saw."""
    applied = Applied(case.emulator())
    app = with_faults(applied, parse_fault_plan(faults), seed=SEED, name=case.provider.name)
    assert isinstance(app, FaultInjector)
    token = {f"INBOXGRAPH_{case.provider.name}_TOKEN": case.token}
    upstreams = connect_upstreams(
        live_settings(**token, **{**QUICK, **env}), transport=InProcessTransport(app=app)
    )
    async with client_for(upstreams) as client:
        yield client, applied, app.counts
        await still_serving(client)


async def still_serving(client: httpx.AsyncClient) -> None:
    """The process is alive and still answers, GraphQL included."""
    assert (await client.get("/healthz")).status_code == 200
    body = await graphql(client, "{ providers { provider mode } }")
    assert len(body["data"]["providers"]) == len(Provider)


def accounted(case: Case, results: list[dict[str, Any]], applied: Applied) -> None:
    """One typed result per item; none applied twice; a success applied once; an item said
    not applied, not applied."""
    assert len(results) == len(case.inputs)
    assert {r["__typename"] for r in results} <= {"ConversationUpdated", "UpdateFailed"}
    assert set(applied.counts) <= set(case.ids)
    for conversation_id, result in zip(case.ids, results, strict=True):
        times = applied.counts[conversation_id]
        assert times <= 1, f"{conversation_id} applied {times} times"
        if result["__typename"] == "ConversationUpdated":
            assert times == 1
        elif not result["mayHaveBeenApplied"]:
            assert times == 0


FAILING = {
    # fault: code, retryable, times each call is sent, whether the emulator applied it
    "error_rate=1": ("UPSTREAM_UNAVAILABLE", True, 3, False),
    "timeout_rate=1": ("TIMEOUT", True, 3, False),
    "drop_rate=1": ("UPSTREAM_UNAVAILABLE", True, 3, False),
    "malformed_rate=1": ("UNCONFIRMED", False, 1, True),
}


@SENDS
@pytest.mark.parametrize("faults", list(FAILING))
@pytest.mark.parametrize("make_case", [ebay_case, puffle_case], ids=["ebay", "puffle"])
async def test_a_fault_on_every_call_is_each_items_typed_failure(
    faults: str, make_case: Any, send: Send
) -> None:
    case: Case = make_case(12)
    code, retryable, sends, lands = FAILING[faults]
    async with faulty(case, faults) as (client, applied, counts):
        results = await send(client, case.inputs)
    accounted(case, results, applied)
    assert {(r["code"], r["retryable"]) for r in results} == {(code, retryable)}
    # No answer, an unreadable one, or a batch call's server error: may have landed.
    may_have_landed = faults != "error_rate=1" or case.provider is Provider.EBAY
    assert {r["mayHaveBeenApplied"] for r in results} == {may_have_landed}
    assert sum(applied.counts.values()) == (len(case.ids) if lands else 0)
    calls = 2 if case.provider is Provider.EBAY else len(case.ids)  # eBay: 10 a call
    assert counts.requests == sends * calls


@SENDS
@pytest.mark.parametrize("make_case", [ebay_case, puffle_case], ids=["ebay", "puffle"])
async def test_a_429_burst_is_waited_out_and_every_item_lands_once(
    make_case: Any, send: Send
) -> None:
    case: Case = make_case(12)
    async with faulty(case, "burst_429=1,retry_after=1") as (client, applied, counts):
        results = await send(client, case.inputs)
    accounted(case, results, applied)
    assert {r["__typename"] for r in results} == {"ConversationUpdated"}
    assert counts.rate_limited == 1


@pytest.mark.parametrize("make_case", [ebay_case, puffle_case], ids=["ebay", "puffle"])
async def test_without_retries_a_429_fails_the_request_but_a_job_sends_it_again(
    make_case: Any,
) -> None:
    # With one attempt per call, the 429 reaches `updateConversations` as the items'
    # RATE_LIMITED, while a job puts the items back and sends them after the wait.
    case: Case = make_case(12)
    refused = 10 if case.provider is Provider.EBAY else 1  # eBay: the items of the call
    calls = 2 if case.provider is Provider.EBAY else len(case.ids)
    faults = "burst_429=1,retry_after=1"
    once = {"INBOXGRAPH_RETRY_ATTEMPTS": "1"}
    async with faulty(case, faults, **once) as (client, applied, counts):
        results = await update_many(client, case.inputs)
    accounted(case, results, applied)
    failed = [r for r in results if r["__typename"] == "UpdateFailed"]
    assert len(failed) == refused
    assert {(r["code"], r["retryable"], r["mayHaveBeenApplied"]) for r in failed} == {
        ("RATE_LIMITED", True, False)
    }
    assert (counts.rate_limited, applied.calls) == (1, calls - 1)

    async with faulty(case, faults, **once) as (client, applied, counts):
        results = await through_job(client, case.inputs)
    accounted(case, results, applied)
    assert {r["__typename"] for r in results} == {"ConversationUpdated"}
    # The refused call was sent again, once: `calls + 1` update calls in all.
    assert (counts.rate_limited, applied.calls) == (1, calls)


MIXED = "latency=5ms,error_rate=0.2,timeout_rate=0.1,drop_rate=0.1,malformed_rate=0.1"


@pytest.mark.parametrize(
    ("send", "count"),
    # A job of several batches; `updateConversations` at its limit.
    [(update_many, 100), (through_job, 250)],
    ids=["updates", "job"],
)
@pytest.mark.parametrize("make_case", [ebay_case, puffle_case], ids=["ebay", "puffle"])
async def test_mixed_faults_lose_and_double_nothing(make_case: Any, send: Send, count: int) -> None:
    case: Case = make_case(count)
    async with faulty(case, MIXED) as (client, applied, counts):
        results = await send(client, case.inputs)
    accounted(case, results, applied)
    assert counts.errors and counts.timeouts and counts.dropped and counts.malformed
    outcomes = {r.get("code", r["__typename"]) for r in results}
    assert "ConversationUpdated" in outcomes
    assert outcomes <= {
        "ConversationUpdated",
        "UPSTREAM_UNAVAILABLE",
        "TIMEOUT",
        "UNCONFIRMED",
    }


@SENDS
async def test_latency_alone_changes_nothing_but_time(send: Send) -> None:
    case = ebay_case(12)
    # A deadline far from the latency: a slow first call on a busy machine is not a fault.
    async with faulty(case, "latency=50ms", INBOXGRAPH_TIMEOUT_SECONDS="5") as (
        client,
        applied,
        counts,
    ):
        results = await send(client, case.inputs)
    accounted(case, results, applied)
    assert {r["__typename"] for r in results} == {"ConversationUpdated"}
    assert counts.requests == 2 + 1  # two bulk calls, then one read of the listing


# --- An update not safe to repeat: vcita's follow-up note ---

NOTE = {"vcita": {"uid": "89m2pnabgozdvd9f", "followUp": True, "followUpMessage": "call back"}}


@asynccontextmanager
async def faulty_vcita(
    faults: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, vcita.VcitaState, FaultCounts]]:
    """The app with vcita live, against its emulator behind `faults`; the emulator's state
    and what the faults middleware saw."""
    state = vcita.VcitaState()
    app = with_faults(vcita.create_app(state), parse_fault_plan(faults), seed=SEED, name="vcita")
    assert isinstance(app, FaultInjector)
    settings = live_settings(INBOXGRAPH_VCITA_TOKEN=vcita.SANDBOX_TOKEN, **QUICK)
    upstreams = connect_upstreams(settings, transport=InProcessTransport(app=app))
    async with client_for(upstreams) as client:
        yield client, state, app.counts
        await still_serving(client)


@SENDS
@pytest.mark.parametrize("faults", ["drop_rate=1", "timeout_rate=1"])
async def test_a_note_that_may_have_landed_is_not_sent_again(faults: str, send: Send) -> None:
    async with faulty_vcita(faults) as (client, state, counts):
        [result] = await send(client, [NOTE])
    assert (result["mayHaveBeenApplied"], result["retryable"]) == (True, False)
    assert "not retried" in result["message"]
    assert counts.requests == 1
    assert state.messages == []


@SENDS
async def test_a_note_answered_unreadably_is_added_once(send: Send) -> None:
    async with faulty_vcita("malformed_rate=1") as (client, state, counts):
        [result] = await send(client, [NOTE])
    assert (result["code"], result["mayHaveBeenApplied"]) == ("UNCONFIRMED", True)
    assert counts.requests == 1
    assert [m["text"] for m in state.messages] == ["call back"]


@SENDS
async def test_a_note_refused_with_429_is_sent_again_and_added_once(send: Send) -> None:
    async with faulty_vcita("burst_429=1,retry_after=1") as (client, state, counts):
        [result] = await send(client, [NOTE])
    assert result["__typename"] == "ConversationUpdated"
    assert (counts.rate_limited, counts.requests) == (1, 2)
    assert [m["text"] for m in state.messages] == ["call back"]


# --- The variables, as `inboxgraph serve` reads them ---


async def test_serves_in_process_sandbox_applies_the_variables_per_provider() -> None:
    settings = load_settings(
        {
            "INBOXGRAPH_SANDBOX_FAULTS_EBAY": "drop_rate=1",
            "INBOXGRAPH_SANDBOX_FAULTS_SEED": "1",
            "INBOXGRAPH_RETRY_BASE_SECONDS": "0",
        }
    )
    assert settings.sandbox_faults.keys() == {Provider.EBAY}
    async with client_for(connect_upstreams(settings)) as client:
        dropped, untouched = await update_many(
            client,
            [
                {
                    "ebay": {
                        "conversationId": "1000000000001",
                        "conversationType": "FROM_MEMBERS",
                        "read": True,
                    }
                },
                {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "status": "ARCHIVED"}},
            ],
        )
    assert (dropped["code"], dropped["mayHaveBeenApplied"]) == ("UPSTREAM_UNAVAILABLE", True)
    assert "RemoteProtocolError" in dropped["message"]
    assert untouched["__typename"] == "ConversationUpdated"
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        [clean] = await update_many(
            client,
            [
                {
                    "ebay": {
                        "conversationId": "1000000000001",
                        "conversationType": "FROM_MEMBERS",
                        "read": True,
                    }
                }
            ],
        )
    assert clean["__typename"] == "ConversationUpdated"
