"""Bulk jobs in tests: their GraphQL documents, and upstreams that answer Puffle and vcita
updates for any id, as slowly as a test needs."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.support import RESULT_FRAGMENT, graphql

JOB_FIELDS = "id state total done succeeded failed createdAt finishedAt"
START = (
    "mutation Start($inputs: [UpdateConversationInput!]!, $key: String) {"
    f" startBulkUpdate(inputs: $inputs, idempotencyKey: $key) {{ {JOB_FIELDS} }} }}"
)
JOB = (
    "query Job($id: ID!, $offset: Int! = 0, $limit: Int! = 100) {"
    f" bulkJob(id: $id) {{ {JOB_FIELDS}"
    " results(offset: $offset, limit: $limit) { index result { ...Result } } } }" + RESULT_FRAGMENT
)
CANCEL = f"mutation Cancel($id: ID!) {{ cancelBulkJob(id: $id) {{ {JOB_FIELDS} }} }}"
PROGRESS = f"subscription Progress($id: ID!) {{ bulkJobProgress(id: $id) {{ {JOB_FIELDS} }} }}"


def puffle_id(n: int) -> str:
    """A distinct id matching Puffle's documented pattern."""
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def puffle_input(n: int, **update: Any) -> dict[str, Any]:
    return {"puffle": {"id": puffle_id(n), "status": "ARCHIVED", **update}}


def vcita_follow_up(n: int) -> dict[str, Any]:
    """A vcita update that is not safe to repeat: a follow-up with a message and no date."""
    return {"vcita": {"uid": f"uid{n:05d}", "followUp": True, "followUpMessage": "call back"}}


def answer(method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    """What Puffle (PATCH /api/conversations/{id}) or vcita (PUT /v2/conversations/{uid})
    answer to an update of any id."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if method == "PATCH" and "/api/conversations/" in path:
        conversation = {
            "id": last,
            "status": body.get("status", "active"),
            "unread_count": body.get("unread_count", 0),
            "channel": "linkedin",
            "participant_name": None,
            "last_message_at": None,
            "updated_at": "2026-01-01T00:00:00Z",
        }
        return 200, {"conversation": conversation}
    if method == "PUT" and "/v2/conversations/" in path:
        conversation = {
            "uid": last,
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
        }
        return 200, {"status": "OK", "data": {"conversation": conversation}}
    return 404, {"error": "not found"}


class SlowUpstream:
    """An httpx transport answering `answer`, each request held until `release` (or at once
    while open), counting requests by path as they arrive."""

    def __init__(self) -> None:
        self.arrived: Counter[str] = Counter()
        self.released = asyncio.Event()

    def open(self) -> None:
        self.released.set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.arrived[request.url.path] += 1
        await self.released.wait()
        status, body = answer(request.method, request.url.path, json.loads(request.content))
        return httpx.Response(status, json=body)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    @property
    def total(self) -> int:
        return sum(self.arrived.values())


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool], timeout: float = 10.0
) -> None:
    """Wait until `check()` holds."""
    deadline = time.monotonic() + timeout
    while True:
        held = check()
        if not isinstance(held, bool):
            held = await held
        if held:
            return
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)


async def start(
    client: httpx.AsyncClient, inputs: list[dict[str, Any]], key: str | None = None
) -> dict[str, Any]:
    body = await graphql(client, START, {"inputs": inputs, "key": key})
    assert "errors" not in body, body["errors"]
    job: dict[str, Any] = body["data"]["startBulkUpdate"]
    return job


async def read_job(client: httpx.AsyncClient, job_id: str, **page: int) -> dict[str, Any] | None:
    body = await graphql(client, JOB, {"id": job_id, **page})
    assert "errors" not in body, body["errors"]
    job: dict[str, Any] | None = body["data"]["bulkJob"]
    return job


async def finished(client: httpx.AsyncClient, job_id: str, timeout: float = 10.0) -> dict[str, Any]:
    """The job once it is FINISHED or CANCELLED."""
    deadline = time.monotonic() + timeout
    while True:
        job = await read_job(client, job_id)
        assert job is not None
        if job["state"] in {"FINISHED", "CANCELLED"}:
            return job
        assert time.monotonic() < deadline, f"job still {job['state']}: {job}"
        await asyncio.sleep(0.02)
