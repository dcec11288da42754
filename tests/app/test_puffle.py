"""Puffle through the whole app, in sandbox mode."""

from __future__ import annotations

import httpx
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from tests.support import update_many, update_one

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
VOLATILE = path_type({r".*updatedAt": (str,)}, regex=True)


async def test_archive(sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion) -> None:
    result = await update_one(sandbox_client, {"puffle": {"id": MINE, "status": "ARCHIVED"}})
    assert result["conversation"]["status"] == "ARCHIVED"
    assert result["conversation"]["unreadCount"] == 3
    assert result == json_snapshot(matcher=VOLATILE)


async def test_largest_unread_count(sandbox_client: httpx.AsyncClient) -> None:
    result = await update_one(sandbox_client, {"puffle": {"id": MINE, "unreadCount": 2**53 - 1}})
    assert result["conversation"]["unreadCount"] == 2**53 - 1


async def test_failures(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        sandbox_client,
        [
            {"puffle": {"id": THEIRS, "status": "ARCHIVED"}},
            {"puffle": {"id": "42", "status": "ARCHIVED"}},
            {"puffle": {"id": MINE}},
            {"puffle": {"id": MINE, "unreadCount": -5}},
        ],
    )
    assert [r.get("code") for r in results] == [
        "NOT_FOUND",
        "INVALID_INPUT",
        "INVALID_INPUT",
        "INVALID_INPUT",
    ]
    assert results == json_snapshot
