"""All emulators on one real HTTP server, each under its provider's path prefix.

`inboxgraph sandbox --port 8001` serves, e.g., Puffle at http://127.0.0.1:8001/puffle,
so `INBOXGRAPH_PUFFLE_BASE_URL=http://127.0.0.1:8001/puffle` with
`INBOXGRAPH_PUFFLE_TOKEN=sandbox-puffle-token` points a live-mode inboxgraph at it.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from inboxgraph.sandbox.registry import EMULATORS


def create_sandbox_app() -> Starlette:
    mounts = []
    index: dict[str, dict[str, str]] = {}
    for provider, emulator in EMULATORS.items():
        prefix = "/" + provider.name.lower()
        mounts.append(Mount(prefix, app=emulator.create_app()))
        index[provider.name] = {
            "base_url_path": prefix + emulator.base_path,
            "token": emulator.token,
        }

    async def root(request: Request) -> Response:
        return JSONResponse({"emulators": index})

    return Starlette(routes=[Route("/", root), *mounts])
