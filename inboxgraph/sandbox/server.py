"""All emulators on one real HTTP server, each under its provider's path prefix.

`inboxgraph sandbox --port 8001` serves, e.g., Puffle at http://127.0.0.1:8001/puffle,
so `INBOXGRAPH_PUFFLE_BASE_URL=http://127.0.0.1:8001/puffle` with
`INBOXGRAPH_PUFFLE_TOKEN=sandbox-puffle-token` points a live-mode inboxgraph at it.
Each emulator sits behind the faults configured for its provider, if any.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from inboxgraph.config.faults import FaultPlan
from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox.faults import ConnectionDropped, with_faults
from inboxgraph.sandbox.registry import EMULATORS


def create_sandbox_app(
    faults: Mapping[Provider, FaultPlan] | None = None, *, seed: int | None = None
) -> Starlette:
    """Every emulator under `/<provider>`, behind the `faults` planned for it (drawn from
    a generator seeded by `seed`, when given)."""
    mounts = []
    index: dict[str, dict[str, str]] = {}
    for provider, emulator in EMULATORS.items():
        prefix = "/" + provider.name.lower()
        plan = (faults or {}).get(provider)
        app = with_faults(emulator.create_app(), plan, seed=seed, name=provider.name.lower())
        mounts.append(Mount(prefix, app=app))
        index[provider.name] = {
            "base_url_path": prefix + emulator.base_path,
            "token": emulator.token,
        }

    async def root(request: Request) -> Response:
        return JSONResponse({"emulators": index})

    return Starlette(routes=[Route("/", root), *mounts])


class DroppedConnectionLogFilter(logging.Filter):
    """Keeps an injected dropped connection out of the server's error log (the sandbox
    logs it itself, in one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)
