"""`_entities` for 100 mixed references: one loader batch per type against one request each.

Both scenarios resolve the same 100 representations (five providers, many repeated)
through the whole ASGI app, in sandbox mode, with a fixed latency added to every
upstream call. The baseline sends one `_entities` request per representation, which is
what a gateway without batching (or an N+1 resolver) would cost.

    .venv/bin/python benchmarks/entities.py [--latency-ms 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx

from inboxgraph.app import create_app
from inboxgraph.config import load_settings
from inboxgraph.upstreams import connect_upstreams

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"""
KNOWN: list[dict[str, Any]] = [
    {"__typename": "AyrshareConversation", "platform": "INSTAGRAM", "id": "aWdfZMTpIyzQw"},
    {"__typename": "AyrshareConversation", "platform": "FACEBOOK", "id": "fbConv0001"},
    {"__typename": "PuffleConversation", "id": "f11e8a2c-1234-4567-89ab-cdef01234567"},
    {"__typename": "HighLevelConversation", "id": "ABC12h2F6uBrIkfXYazb"},
    {"__typename": "EbayConversation", "id": "1000000000001", "conversationType": "FROM_MEMBERS"},
    {"__typename": "EbayConversation", "id": "1000000000002", "conversationType": "FROM_EBAY"},
]
REPRESENTATIONS = (KNOWN * 17)[:100]


async def run(batched: bool, latency: float) -> tuple[float, int, int]:
    upstreams = connect_upstreams(load_settings({}))
    calls = 0

    async def slow(request: httpx.Request) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(latency)

    upstreams.http.event_hooks["request"].append(slow)
    transport = httpx.ASGITransport(app=create_app(upstreams=upstreams))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        groups = [REPRESENTATIONS] if batched else [[r] for r in REPRESENTATIONS]
        started = time.perf_counter()
        for group in groups:
            body = (
                await client.post("/graphql", json={"query": ENTITIES, "variables": {"r": group}})
            ).json()
            assert all(e is not None for e in body["data"]["_entities"]), body
        return time.perf_counter() - started, len(groups), calls


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, batched in (
        ("one _entities request per reference (baseline)", False),
        ("one _entities request, loaders batch per type", True),
    ):
        runs = [await run(batched, args.latency_ms / 1000) for _ in range(args.repeat)]
        seconds = statistics.median(r[0] for r in runs)
        rows.append((name, runs[0][1], runs[0][2], seconds))
    baseline = rows[0][3]
    print(
        f"100 mixed references, upstream latency {args.latency_ms:g} ms, median of {args.repeat} runs\n"
    )
    print(
        f"| {'scenario':<48} | {'GraphQL requests':>16} | {'upstream calls':>14} | {'seconds':>8} | {'speed-up':>8} |"
    )
    print(f"|{'-' * 50}|{'-' * 17}:|{'-' * 15}:|{'-' * 9}:|{'-' * 9}:|")
    for name, requests, calls, seconds in rows:
        print(
            f"| {name:<48} | {requests:>16} | {calls:>14} | {seconds:>8.3f} | {baseline / seconds:>7.1f}x |"
        )


if __name__ == "__main__":
    asyncio.run(main())
