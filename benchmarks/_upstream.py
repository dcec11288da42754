"""The upstream of the job benchmark, in a process of its own: Puffle's emulator seeded
with n conversations, behind the sandbox's faults middleware with a fixed latency (what
`INBOXGRAPH_SANDBOX_FAULTS_PUFFLE=latency=50ms` sets up), over real HTTP at `/puffle`.

`GET /calls` tells the update calls answered so far (and how many failed), the
conversations they reached, the most calls any one conversation got and the CPU time
this process spent; `DELETE /calls` starts them all again from 0.

    python benchmarks/_upstream.py --port 8001 --conversations 10000 --latency-ms 50
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

import uvicorn
from bulk import puffle_emulator, puffle_ids
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inboxgraph.config.faults import FaultPlan
from inboxgraph.sandbox.faults import with_faults


class CallCount:
    """ASGI in front of the emulator: counts update calls per path, and those not 2xx."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: Counter[str] = Counter()
        self.failed = 0
        self.cpu_since = time.process_time()

    def reset(self) -> None:
        self.calls.clear()
        self.failed = 0
        self.cpu_since = time.process_time()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        self.calls[scope["path"]] += 1

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not 200 <= message["status"] < 300:
                self.failed += 1
            await send(message)

        await self.app(scope, receive, sending)

    def report(self) -> dict[str, Any]:
        return {
            "updates": sum(self.calls.values()),
            "failed": self.failed,
            "conversations": len(self.calls),
            "most_per_conversation": max(self.calls.values(), default=0),
            "cpu_seconds": time.process_time() - self.cpu_since,
        }


def create_upstream(conversations: int, latency_seconds: float) -> Starlette:
    emulator = puffle_emulator(puffle_ids(conversations))
    plan = FaultPlan(latency_seconds=latency_seconds)
    counted = CallCount(with_faults(emulator, plan, seed=0, name="puffle"))

    async def calls(request: Request) -> Response:
        if request.method == "DELETE":
            counted.reset()
        return JSONResponse(counted.report())

    return Starlette(
        routes=[Route("/calls", calls, methods=["GET", "DELETE"]), Mount("/puffle", counted)]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--conversations", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, required=True)
    args = parser.parse_args()
    app = create_upstream(args.conversations, args.latency_ms / 1000)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
