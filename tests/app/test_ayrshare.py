"""Ayrshare through the whole app, in sandbox mode."""

from __future__ import annotations

from pathlib import Path

import httpx
from syrupy.assertion import SnapshotAssertion

from inboxgraph.sandbox.ayrshare import SANDBOX_PROFILE_KEY as AYRSHARE_SANDBOX_PROFILE_KEY
from tests.support import graphql, update_many, update_one

INSTAGRAM = "aWdfZMTpIyzQw"
FACEBOOK = "fbConv0001"
PROFILE_TWITTER = "1470000000000000001-1500000000000000002"
ARCHIVE_OPERATION = (
    Path(__file__).parents[2] / "graphql" / "operations" / "ayrshare-archive.graphql"
)


async def test_archive(sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion) -> None:
    result = await update_one(
        sandbox_client,
        {"ayrshare": {"platform": "INSTAGRAM", "conversationId": INSTAGRAM, "status": "ARCHIVED"}},
    )
    assert result["conversation"]["ayrshareStatus"] == "ARCHIVED"
    assert result == json_snapshot


async def test_archive_then_reactivate(sandbox_client: httpx.AsyncClient) -> None:
    update = {"platform": "FACEBOOK", "conversationId": FACEBOOK}
    results = [
        await update_one(sandbox_client, {"ayrshare": {**update, "status": status}})
        for status in ("ARCHIVED", "ARCHIVED", "ACTIVE")
    ]
    assert [r["conversation"]["ayrshareStatus"] for r in results] == [
        "ARCHIVED",
        "ARCHIVED",
        "ACTIVE",
    ]


async def test_profile_key_acts_for_that_user_profile(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    update = {"platform": "TWITTER", "conversationId": PROFILE_TWITTER, "status": "ARCHIVED"}
    results = await update_many(
        sandbox_client,
        [
            {"ayrshare": {**update, "profileKey": AYRSHARE_SANDBOX_PROFILE_KEY}},
            {"ayrshare": update},
        ],
    )
    assert [r["__typename"] for r in results] == ["ConversationUpdated", "UpdateFailed"]
    assert results[1]["code"] == "NOT_FOUND"
    assert results == json_snapshot


async def test_failures(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    archive = {"platform": "INSTAGRAM", "status": "ARCHIVED"}
    results = await update_many(
        sandbox_client,
        [
            {"ayrshare": {**archive, "conversationId": "unknownConversation"}},
            {
                "ayrshare": {
                    **archive,
                    "conversationId": INSTAGRAM,
                    "profileKey": AYRSHARE_SANDBOX_PROFILE_KEY,
                }
            },
            {
                "ayrshare": {
                    **archive,
                    "conversationId": INSTAGRAM,
                    "profileKey": "UNKNOWN-PROFILE-KEY",
                }
            },
            {"ayrshare": {**archive, "conversationId": "   "}},
            {"ayrshare": {**archive, "conversationId": ".."}},
            {"ayrshare": {**archive, "conversationId": INSTAGRAM, "profileKey": ""}},
        ],
    )
    assert [r.get("code") for r in results] == [
        "NOT_FOUND",
        "NOT_FOUND",
        "FORBIDDEN",
        "INVALID_INPUT",
        "INVALID_INPUT",
        "INVALID_INPUT",
    ]
    assert results == json_snapshot


async def test_example_operation_archives_the_seeded_conversation(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    body = await graphql(sandbox_client, ARCHIVE_OPERATION.read_text())
    assert "errors" not in body, body["errors"]
    assert body["data"]["updateConversation"]["conversation"]["status"] == "ARCHIVED"
    assert body == json_snapshot
