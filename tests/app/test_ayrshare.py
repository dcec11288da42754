"""Ayrshare through the whole app, in sandbox mode."""

from __future__ import annotations

from typing import Any

import httpx
from syrupy.assertion import SnapshotAssertion

from inboxgraph.sandbox.ayrshare import PRIMARY_PROFILE, AyrshareState
from inboxgraph.sandbox.ayrshare import SANDBOX_PROFILE_KEY as AYRSHARE_SANDBOX_PROFILE_KEY
from inboxgraph.sandbox.ayrshare import SANDBOX_TOKEN as AYRSHARE_SANDBOX_TOKEN
from inboxgraph.sandbox.ayrshare import create_app as create_ayrshare_app
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    client_for,
    graphql,
    live_settings,
    record_upstream,
    update_many,
    update_one,
)

INSTAGRAM = "aWdfZMTpIyzQw"
FACEBOOK = "fbConv0001"
PROFILE_TWITTER = "1470000000000000001-1500000000000000002"
MISSING_OR_INCORRECT_PARAMETERS = {
    "code": "UPSTREAM_ERROR",
    "providerStatus": 400,
    "providerCode": "101",
    "retryable": False,
    "mayHaveBeenApplied": False,
}
CONVERSATION = """
query($ref: ConversationRef!) {
  conversation(ref: $ref) { ... on AyrshareConversation { platform id status } }
}
"""


def _failure(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result[key] for key in MISSING_OR_INCORRECT_PARAMETERS}


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
    # The emulator refuses another profile's conversation as Ayrshare documents: 400, code 101.
    assert _failure(results[1]) == MISSING_OR_INCORRECT_PARAMETERS
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
    # Unknown conversation, another profile's, unknown Profile-Key: Ayrshare's documented 101.
    assert [_failure(r) for r in results[:3]] == [MISSING_OR_INCORRECT_PARAMETERS] * 3
    assert [(r["code"], r["field"]) for r in results[3:]] == [
        ("INVALID_INPUT", "ayrshare.conversationId"),
        ("INVALID_INPUT", "ayrshare.conversationId"),
        ("INVALID_INPUT", "ayrshare.profileKey"),
    ]
    assert results == json_snapshot


async def test_a_read_follows_the_conversation_between_listings(
    sandbox_client: httpx.AsyncClient,
) -> None:
    async def read(platform: str, id: str) -> Any:
        ref = {"ayrshare": {"platform": platform, "id": id}}
        body = await graphql(sandbox_client, CONVERSATION, {"ref": ref})
        assert "errors" not in body, body["errors"]
        return body["data"]["conversation"]

    assert await read("INSTAGRAM", INSTAGRAM) == {
        "platform": "INSTAGRAM",
        "id": INSTAGRAM,
        "status": "ACTIVE",
    }
    await update_one(
        sandbox_client,
        {"ayrshare": {"platform": "INSTAGRAM", "conversationId": INSTAGRAM, "status": "ARCHIVED"}},
    )
    assert (await read("INSTAGRAM", INSTAGRAM))["status"] == "ARCHIVED"
    # A reference carries no Profile-Key: another profile's conversation is not found.
    assert await read("TWITTER", PROFILE_TWITTER) is None
    assert await read("FACEBOOK", INSTAGRAM) is None


# --- The budget the emulator reports, honoured before anything more is sent ---


async def test_once_the_emulator_reports_the_budget_spent_nothing_more_reaches_it() -> None:
    """Another client of the primary profile has made 299 of its 300 requests."""
    state = AyrshareState()
    for _ in range(299):
        state.admit(PRIMARY_PROFILE)
    settings = live_settings(
        INBOXGRAPH_AYRSHARE_TOKEN=AYRSHARE_SANDBOX_TOKEN,
        INBOXGRAPH_AYRSHARE_BASE_URL="http://ayrshare.test",
    )
    upstreams = connect_upstreams(
        settings, transport=httpx.ASGITransport(app=create_ayrshare_app(state))
    )
    sent = record_upstream(upstreams)
    archive = {"platform": "INSTAGRAM", "conversationId": INSTAGRAM, "status": "ARCHIVED"}
    other_profile = {
        "platform": "TWITTER",
        "conversationId": PROFILE_TWITTER,
        "status": "ARCHIVED",
        "profileKey": AYRSHARE_SANDBOX_PROFILE_KEY,
    }
    async with client_for(upstreams) as client:
        last = await update_one(client, {"ayrshare": archive})
        refused = await update_one(client, {"ayrshare": {**archive, "status": "ACTIVE"}})
        elsewhere = await update_one(client, {"ayrshare": other_profile})
    assert last["__typename"] == "ConversationUpdated"
    assert (refused["code"], refused["providerStatus"], refused["retryable"]) == (
        "RATE_LIMITED",
        None,
        True,
    )
    assert refused["message"].startswith("Ayrshare reports its rate-limit budget spent; ")
    assert elsewhere["__typename"] == "ConversationUpdated"
    # The refused update never reached the emulator: no 429 counts towards a suspension.
    assert [(r.method, r.headers.get("Profile-Key")) for r in sent] == [
        ("PUT", None),
        ("PUT", AYRSHARE_SANDBOX_PROFILE_KEY),
    ]
    assert state.windows[PRIMARY_PROFILE].count == 300
    assert PRIMARY_PROFILE not in state.rate_limited
    assert state.conversations[(PRIMARY_PROFILE, "instagram", INSTAGRAM)]["status"] == "archived"
