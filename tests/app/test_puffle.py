"""Puffle through the whole app, in sandbox mode."""

from __future__ import annotations

import httpx
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox.puffle import SANDBOX_USER_ID, PuffleState, create_app
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    LIVE_TOKENS,
    client_for,
    graphql,
    live_settings,
    record_upstream,
    sandbox_settings,
    update_many,
    update_one,
)

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
VOLATILE = path_type({r".*updatedAt": (str,)}, regex=True)
READ = """
query($refs: [ConversationRef!]!) {
  conversations(refs: $refs) { __typename ... on PuffleConversation { id unreadCount } }
}
"""


async def test_archive(sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion) -> None:
    result = await update_one(sandbox_client, {"puffle": {"id": MINE, "status": "ARCHIVED"}})
    assert result["conversation"]["status"] == "ARCHIVED"
    assert result["conversation"]["unreadCount"] == 3
    assert result == json_snapshot(matcher=VOLATILE)


async def test_largest_unread_count(sandbox_client: httpx.AsyncClient) -> None:
    result = await update_one(sandbox_client, {"puffle": {"id": MINE, "unreadCount": 2**53 - 1}})
    assert result["conversation"]["unreadCount"] == 2**53 - 1


async def test_failures(json_snapshot: SnapshotAssertion) -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        results = await update_many(
            client,
            [
                {"puffle": {"id": THEIRS, "status": "ARCHIVED"}},
                {"puffle": {"id": "42", "status": "ARCHIVED"}},
                {"puffle": {"id": f"{MINE}\n", "status": "ARCHIVED"}},
                {"puffle": {"id": MINE}},
                {"puffle": {"id": MINE, "unreadCount": -5}},
            ],
        )
    assert [r.get("code") for r in results] == [
        "NOT_FOUND",
        "INVALID_INPUT",
        "INVALID_INPUT",
        "INVALID_INPUT",
        "INVALID_INPUT",
    ]
    # Refused input is never sent: only the other account's conversation reached Puffle.
    assert [(r.method, r.url.path) for r in sent] == [("PATCH", f"/api/conversations/{THEIRS}")]
    assert results == json_snapshot


async def test_reads_page_through_the_emulators_list_at_its_page_size() -> None:
    state = PuffleState()
    state.tokens[LIVE_TOKENS[Provider.PUFFLE]] = SANDBOX_USER_ID
    [template] = [c for c in state.conversations.values() if c["id"] == MINE]
    older = [f"f11e8a2c-1234-4567-89ab-{n:012d}" for n in range(1, 121)]
    for conversation_id in older:
        state.conversations[conversation_id] = dict(
            template, id=conversation_id, last_message_at="2025-01-01T00:00:00Z"
        )
    upstreams = connect_upstreams(
        live_settings(), transport=httpx.ASGITransport(app=create_app(state))
    )
    sent = record_upstream(upstreams)
    refs = [older[-1], MINE, THEIRS]
    async with client_for(upstreams) as client:
        body = await graphql(client, READ, {"refs": [{"puffle": {"id": i}} for i in refs]})
    assert body["data"]["conversations"] == [
        {"__typename": "PuffleConversation", "id": older[-1], "unreadCount": 3},
        {"__typename": "PuffleConversation", "id": MINE, "unreadCount": 3},
        None,
    ]
    # 121 conversations at the emulator's 50 a page: three pages, by `page` alone.
    assert [str(r.url) for r in sent] == [
        f"https://app.puffle.ai/api/conversations?page={page}" for page in (1, 2, 3)
    ]
    assert state.conversations[MINE]["unread_count"] == 3
