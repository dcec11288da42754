"""Small pieces every emulator shares: bearer auth and JSON bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def json_body(request: Request) -> tuple[bool, Any]:
    """(True, value) for a JSON body, (False, None) for an empty or malformed one."""
    raw = await request.body()
    if not raw.strip():
        return False, None
    try:
        return True, json.loads(raw)
    except ValueError:
        return False, None


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def json_response(body: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code)
