"""Bulk updates against the ideal: n updates through `updateConversations`, with a fixed
upstream latency injected by the sandbox's faults mechanism, timed against
ceil(n / concurrency) x latency, with the upstream calls counted.

For each provider and n, the provider's emulator is seeded with n conversations and put
behind the faults middleware with `latency=<L>ms` (what
`INBOXGRAPH_SANDBOX_FAULTS_<P>=latency=<L>ms` sets up); the whole ASGI app reaches it in
live mode, in process, and sends one update to each conversation, in requests of at most
100 inputs (the API's limit) sent together. Concurrency is what inboxgraph keeps in
flight: the provider's concurrent calls times the updates one call carries (eBay: 8 x 10
in its bulk form; Puffle, which has no batch form: 8 x 1).

- "updates s" is the wall time until the last update call was answered: what the ideal
  describes. "requests s" is until every GraphQL request was answered, which for eBay
  adds the read after the update (eBay's bulk answer tells only success, so the state
  the update did not set is read from eBay's listing, 50 conversations a page).
- "direct s" sends the same update calls straight to the same emulator, as many at a
  time, without inboxgraph: the floor this machine allows. Ratios are against the ideal
  (the target is at most 1.2) and against that floor (what inboxgraph adds).
- The update calls must stay within the bound (eBay: ceil(n / 10)), or the script fails.
- Everything runs in one process and one event loop, emulator included: its work counts
  in the times (eBay's listing sorts every conversation for each page it answers). The
  garbage collector is set as `inboxgraph serve` sets it (INBOXGRAPH_GC_THRESHOLD).

    .venv/bin/python benchmarks/bulk.py [--sizes 10,100,1000] [--latency-ms 50] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from inboxgraph.app import create_app
from inboxgraph.cli import tune_gc
from inboxgraph.config import load_settings
from inboxgraph.config.faults import FaultPlan
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import ProviderAdapter
from inboxgraph.providers.registry import build_adapters
from inboxgraph.sandbox import ebay, puffle
from inboxgraph.sandbox.faults import InProcessTransport, with_faults
from inboxgraph.upstreams import connect_upstreams

UPDATE_MANY = """mutation($inputs: [UpdateConversationInput!]!) {
  updateConversations(inputs: $inputs) { __typename } }"""
#: updateConversations' most inputs per request.
MAX_INPUTS = 100


class CallLog:
    """ASGI in front of the (latency-injecting) emulator: counts calls by method and notes
    when the last update call was answered."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()
        self.last_update_answered = 0.0

    def reset(self) -> None:
        self.calls.clear()
        self.last_update_answered = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.calls[scope["method"]] += 1
            if scope["method"] != "GET":
                self.last_update_answered = time.perf_counter()


@dataclass
class Outcome:
    updates_seconds: float
    requests_seconds: float
    direct_seconds: float
    graphql_requests: int
    update_calls: int
    read_calls: int


#: Sends one upstream update call for some conversations, straight to the emulator.
DirectCall = Callable[[httpx.AsyncClient, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class Setup:
    """One provider's seeded emulator, its inputs, and the same calls sent directly."""

    emulator: Callable[[list[str]], Any]
    ids: Callable[[int], list[str]]
    input: Callable[[str], dict[str, Any]]
    token: str
    direct_call: DirectCall


def ebay_emulator(ids: list[str]) -> Any:
    records = [
        {
            "conversationId": i,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ACTIVE",
            "read": False,
        }
        for i in ids
    ]
    return ebay.create_app(ebay.EbayState(records))


async def ebay_direct(client: httpx.AsyncClient, ids: list[str]) -> None:
    entries = [
        {"conversationId": i, "conversationType": "FROM_MEMBERS", "conversationStatus": "READ"}
        for i in ids
    ]
    response = await client.post(
        f"{ebay.API_PREFIX}/bulk_update_conversation",
        json={"conversations": entries},
        headers={"Authorization": f"Bearer {ebay.SANDBOX_TOKEN}"},
    )
    assert response.status_code == 200, response.text


def puffle_ids(n: int) -> list[str]:
    """n distinct ids matching Puffle's documented UUID pattern."""
    return [str(uuid.UUID(int=i + 1, version=4)) for i in range(n)]


def puffle_emulator(ids: list[str]) -> Any:
    state = puffle.PuffleState()
    template = next(iter(state.conversations.values()))
    for i in ids:
        state.conversations[i] = {**template, "id": i}
    return puffle.create_app(state)


async def puffle_direct(client: httpx.AsyncClient, ids: list[str]) -> None:
    [conversation_id] = ids
    response = await client.patch(
        f"/api/conversations/{conversation_id}",
        json={"status": "archived"},
        headers={"Authorization": f"Bearer {puffle.SANDBOX_TOKEN}"},
    )
    assert response.status_code == 200, response.text


SETUPS = {
    Provider.EBAY: Setup(
        ebay_emulator,
        lambda n: [str(3000000000000 + i) for i in range(n)],
        lambda i: {"ebay": {"conversationId": i, "conversationType": "FROM_MEMBERS", "read": True}},
        ebay.SANDBOX_TOKEN,
        ebay_direct,
    ),
    Provider.PUFFLE: Setup(
        puffle_emulator,
        puffle_ids,
        lambda i: {"puffle": {"id": i, "status": "ARCHIVED"}},
        puffle.SANDBOX_TOKEN,
        puffle_direct,
    ),
}


def upstream(setup: Setup, ids: list[str], provider: Provider, latency: float) -> CallLog:
    plan = FaultPlan(latency_seconds=latency)
    return CallLog(with_faults(setup.emulator(ids), plan, seed=0, name=provider.name))


async def through_inboxgraph(
    provider: Provider, setup: Setup, ids: list[str], latency: float
) -> tuple[float, float, int, Counter[str]]:
    log = upstream(setup, ids, provider, latency)
    settings = load_settings({f"INBOXGRAPH_{provider.name}_TOKEN": setup.token})
    upstreams = connect_upstreams(settings, transport=InProcessTransport(app=log))
    inputs = [setup.input(i) for i in ids]
    batches = [inputs[i : i + MAX_INPUTS] for i in range(0, len(inputs), MAX_INPUTS)]
    app = httpx.ASGITransport(app=create_app(upstreams=upstreams))
    async with httpx.AsyncClient(transport=app, base_url="http://bench", timeout=120) as client:

        async def send(batch: list[dict[str, Any]]) -> None:
            response = await client.post(
                "/graphql", json={"query": UPDATE_MANY, "variables": {"inputs": batch}}
            )
            results = response.json()["data"]["updateConversations"]
            assert [r["__typename"] for r in results] == ["ConversationUpdated"] * len(batch)

        # One request first, so that the document is parsed and validated (and cached,
        # as in a server that has been up a while) before the clock starts.
        await send(inputs[:1])
        log.reset()
        started = time.perf_counter()
        await asyncio.gather(*(send(batch) for batch in batches))
        finished = time.perf_counter()
    await upstreams.aclose()
    return log.last_update_answered - started, finished - started, len(batches), log.calls


async def direct(
    provider: Provider,
    setup: Setup,
    ids: list[str],
    latency: float,
    adapter: ProviderAdapter[Any, Any, Any],
) -> float:
    """The same update calls sent straight to the emulator, as many at a time."""
    log = upstream(setup, ids, provider, latency)
    per_call = max(adapter.max_batch_size, 1)
    calls = [ids[i : i + per_call] for i in range(0, len(ids), per_call)]
    slots = asyncio.Semaphore(adapter.max_concurrency)
    transport = InProcessTransport(app=log)
    async with httpx.AsyncClient(transport=transport, base_url="http://upstream") as client:

        async def one(call: list[str]) -> None:
            async with slots:
                await setup.direct_call(client, call)

        started = time.perf_counter()
        await asyncio.gather(*(one(call) for call in calls))
        return time.perf_counter() - started


async def run(provider: Provider, n: int, latency: float, adapter: Any) -> Outcome:
    setup = SETUPS[provider]
    ids = setup.ids(n)
    updates, requests, graphql_requests, calls = await through_inboxgraph(
        provider, setup, ids, latency
    )
    return Outcome(
        updates_seconds=updates,
        requests_seconds=requests,
        direct_seconds=await direct(provider, setup, ids, latency, adapter),
        graphql_requests=graphql_requests,
        update_calls=calls["POST"] + calls["PATCH"],
        read_calls=calls["GET"],
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated values of n")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell (median kept)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    latency = args.latency_ms / 1000
    settings = load_settings()
    tune_gc(settings)
    adapters = build_adapters(load_settings({}))
    print(
        f"updateConversations, {args.latency_ms:g} ms injected upstream latency, "
        f"median of {args.repeat} run(s)\n"
    )
    header = (
        "provider",
        "n",
        "concurrency",
        "requests",
        "update calls",
        "bound",
        "read calls",
        "ideal s",
        "direct s",
        "updates s",
        "requests s",
        "updates / ideal",
        "updates / direct",
        "requests / ideal",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for provider in SETUPS:
        adapter = adapters[provider]
        per_call = max(adapter.max_batch_size, 1)
        concurrency = adapter.max_concurrency * per_call
        for n in sizes:
            outcomes = [await run(provider, n, latency, adapter) for _ in range(args.repeat)]
            bound = math.ceil(n / per_call)
            assert all(o.update_calls <= bound for o in outcomes), outcomes
            ideal = math.ceil(n / concurrency) * latency
            direct_s, updates, requests = (
                statistics.median(getattr(o, name) for o in outcomes)
                for name in ("direct_seconds", "updates_seconds", "requests_seconds")
            )
            first = outcomes[0]
            cells = (
                adapter.display_name,
                str(n),
                f"{adapter.max_concurrency} x {per_call}",
                str(first.graphql_requests),
                str(first.update_calls),
                f"≤ {bound}",
                str(first.read_calls),
                f"{ideal:.3f}",
                f"{direct_s:.3f}",
                f"{updates:.3f}",
                f"{requests:.3f}",
                _ratio(updates, ideal),
                _ratio(updates, direct_s),
                _ratio(requests, ideal),
            )
            print("| " + " | ".join(cells) + " |")


def _ratio(seconds: float, baseline: float) -> str:
    return f"{seconds / baseline:.2f}x" if baseline > 0 else "n/a x"


if __name__ == "__main__":
    asyncio.run(main())
