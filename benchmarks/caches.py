"""What the parser and validation caches save on a small request, in one process.

Executes the same small query N times against the served schema (caches on, as
built by `build_schema`) and against the same schema without the caches, and prints
requests per second for both.

    .venv/bin/python benchmarks/caches.py [--requests 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from inboxgraph.api import schema as api
from inboxgraph.config import load_settings
from inboxgraph.jobs.service import connect_jobs
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.shared.idempotency import connect_idempotency
from inboxgraph.upstreams import connect_upstreams

QUERY = """query Modes { providers { provider mode } }"""


async def rate(schema: Any, requests: int) -> float:
    upstreams = connect_upstreams(load_settings({}))
    context = RequestContext(
        request=None,  # type: ignore[arg-type]
        response=None,
        tenant="default",
        clients=upstreams.clients,
        modes={p: s.mode for p, s in upstreams.settings.providers.items()},
        jobs=connect_jobs(upstreams.settings, upstreams.tenants, None),
        idempotency=connect_idempotency(upstreams.settings, None),
        limits=upstreams.settings.limits,
    )
    started = time.perf_counter()
    for _ in range(requests):
        result = await schema.execute(QUERY, context_value=context)
        assert result.errors is None, result.errors
    return requests / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, schema in (
        ("no parser/validation cache (baseline)", api.build_schema(caches=False)),
        ("ParserCache + ValidationCache (served)", api.schema),
    ):
        rows.append(
            (
                name,
                statistics.median([await rate(schema, args.requests) for _ in range(args.repeat)]),
            )
        )
    baseline = rows[0][1]
    print(f"{args.requests} executions of {QUERY!r}, median of {args.repeat} runs\n")
    print(f"| {'schema':<40} | {'requests/s':>10} | {'ratio':>6} |")
    print(f"|{'-' * 42}|{'-' * 11}:|{'-' * 7}:|")
    for name, per_second in rows:
        print(f"| {name:<40} | {per_second:>10.0f} | {per_second / baseline:>5.2f}x |")


if __name__ == "__main__":
    asyncio.run(main())
