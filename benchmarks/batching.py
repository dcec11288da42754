"""Throughput of batched updates against a serial baseline, in one process.

Every scenario sends the same N Puffle updates through the whole ASGI app to an
upstream that answers after a fixed latency (as a real provider would), and reports
wall time and upstream calls. Ratios are against the serial baseline of the same run,
so the table is comparable across machines.

    .venv/bin/python benchmarks/batching.py [--updates 50] [--latency-ms 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from inboxgraph.app import create_app
from inboxgraph.config import load_settings
from inboxgraph.upstreams import connect_upstreams

UPDATE_ONE = """mutation($input: UpdateConversationInput!) {
  updateConversation(input: $input) { __typename } }"""
UPDATE_MANY = """mutation($inputs: [UpdateConversationInput!]!) {
  updateConversations(inputs: $inputs) { __typename } }"""


class SlowUpstream(httpx.AsyncBaseTransport):
    """Answers every Puffle PATCH after `latency` seconds, counting calls."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        await asyncio.sleep(self.latency)
        conversation_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(
            200,
            json={
                "conversation": {
                    "id": conversation_id,
                    "status": "archived",
                    "unread_count": 0,
                    "channel": "linkedin",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            },
        )


@dataclass
class Outcome:
    seconds: float
    upstream_calls: int
    requests: int


Scenario = Callable[[httpx.AsyncClient, list[dict[str, object]]], Awaitable[int]]


async def serial(client: httpx.AsyncClient, inputs: list[dict[str, object]]) -> int:
    for item in inputs:
        response = await client.post(
            "/graphql", json={"query": UPDATE_ONE, "variables": {"input": item}}
        )
        assert response.json()["data"]["updateConversation"]["__typename"] == "ConversationUpdated"
    return len(inputs)


async def batched(client: httpx.AsyncClient, inputs: list[dict[str, object]]) -> int:
    response = await client.post(
        "/graphql", json={"query": UPDATE_MANY, "variables": {"inputs": inputs}}
    )
    results = response.json()["data"]["updateConversations"]
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * len(inputs)
    return 1


async def run(scenario: Scenario, inputs: list[dict[str, object]], latency: float) -> Outcome:
    upstream = SlowUpstream(latency)
    settings = load_settings({"INBOXGRAPH_PUFFLE_TOKEN": "benchmark-token"})
    app = create_app(upstreams=connect_upstreams(settings, transport=upstream))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        requests = await scenario(client, inputs)
        seconds = time.perf_counter() - started
    return Outcome(seconds, upstream.calls, requests)


def puffle_inputs(count: int, distinct: bool) -> list[dict[str, object]]:
    ids = [str(uuid.UUID(int=i + 1, version=4)) for i in range(count)]
    if not distinct:
        ids = ids[:1] * count
    return [{"puffle": {"id": i, "status": "ARCHIVED"}} for i in ids]


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    scenarios: list[tuple[str, Scenario, bool]] = [
        ("serial: one request per update (baseline)", serial, True),
        ("updateConversations, distinct conversations", batched, True),
        ("updateConversations, one update repeated", batched, False),
    ]
    rows = []
    baseline: float | None = None
    for name, scenario, distinct in scenarios:
        outcomes = [
            await run(scenario, puffle_inputs(args.updates, distinct), latency)
            for _ in range(args.repeat)
        ]
        seconds = statistics.median(o.seconds for o in outcomes)
        baseline = baseline or seconds
        rows.append(
            (name, outcomes[0].requests, outcomes[0].upstream_calls, seconds, baseline / seconds)
        )
    print(
        f"{args.updates} Puffle updates, upstream latency {args.latency_ms:g} ms, "
        f"median of {args.repeat} runs\n"
    )
    header = ("scenario", "GraphQL requests", "upstream calls", "seconds", "speed-up")
    print(
        f"| {header[0]:<46} | {header[1]:>16} | {header[2]:>14} | {header[3]:>8} | {header[4]:>8} |"
    )
    print(f"|{'-' * 48}|{'-' * 17}:|{'-' * 15}:|{'-' * 9}:|{'-' * 9}:|")
    for name, requests, calls, seconds, ratio in rows:
        print(f"| {name:<46} | {requests:>16} | {calls:>14} | {seconds:>8.3f} | {ratio:>7.1f}x |")


if __name__ == "__main__":
    asyncio.run(main())
