"""One live `updateConversation` through inboxgraph over HTTP, against what a team might run
instead: throughput, CPU per request and memory, as ratios measured in the same run.

inboxgraph serves Puffle live (a token, not the sandbox), its base URL pointed at one
upstream process that answers Puffle's `PATCH /api/conversations/{id}` as inboxgraph's
Puffle emulator does (benchmarks/puffle_upstream.py). Every contender makes that same
call for the same GraphQL request (graphql/operations/puffle-archive.graphql) and
answers the same result shape:

- inboxgraph: `inboxgraph serve`, every check, limit, metric and log line on;
- a minimal Strawberry + httpx proxy (benchmarks/baselines/strawberry/proxy.py), in its
  own environment of what `pip install 'strawberry-graphql[asgi]' uvicorn httpx` gives, and
  again in inboxgraph's environment (the same packages inboxgraph has installed);
- a minimal GraphQL Yoga proxy on Node, with `fetch` (benchmarks/baselines/yoga/).

wrk drives each from 1 thread and `--connections` connections, in alternating runs (the
order turns every round), after a warm-up. With 2 CPUs or more the measured server runs
on the first, wrk and the upstream on the others. CPU per request is the server's user
plus system time (its worker processes included, from /proc) over the requests answered;
every answer is checked to be a ConversationUpdated, and every request to have made
exactly one upstream call. Measured:

(a) inboxgraph against the Strawberry proxy: throughput and CPU per request;
(b) `inboxgraph serve --workers 2` against `--workers 1` (neither pinned): throughput;
(c) inboxgraph's resident memory before and after `--rss-requests` more requests;
(d) inboxgraph's CPU per request against the Yoga proxy's.

Needs wrk (`apt-get install wrk`) and the Yoga baseline's packages
(`(cd benchmarks/baselines/yoga && npm ci)`); the Strawberry baseline's environment is
made on first run (benchmarks/baselines/strawberry/.venv).

    .venv/bin/python benchmarks/http.py [--duration 10] [--repeat 5] [--connections 32]
        [--warmup 3] [--rss-requests 100000] [--env INBOXGRAPH_NAME=VALUE ...]
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _without_this_folder(path: list[str]) -> list[str]:
    return [entry for entry in path if Path(entry or ".").resolve() != _HERE]


if __name__ == "http":
    # A script run from this folder has the folder first on its import path, where this
    # file is what `import http` finds: the standard library's package takes its place.
    _path = sys.path[:]
    sys.path[:] = _without_this_folder(_path)
    del sys.modules[__name__]
    try:
        sys.modules[__name__] = importlib.import_module(__name__)
    finally:
        sys.path[:] = _path
elif __name__ == "__main__":
    # The folder goes last, after the standard library, for this script's own modules.
    sys.path[:] = [*_without_this_folder(sys.path), str(_HERE)]
    from http_benchmark import main

    raise SystemExit(main(__doc__ or ""))
