"""The query side and `_entities`: batched, side-effect-free reads through per-request loaders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from inboxgraph.domain.provider import ConversationRef, Provider
from inboxgraph.upstreams import Upstreams, connect_upstreams
from tests.support import (
    client_for,
    graphql,
    live_settings,
    mock_upstream,
    record_upstream,
    sandbox_settings,
)

PUFFLE_MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
PUFFLE_THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
VOLATILE = path_type({r".*updatedAt": (str,)}, regex=True)

SELECTION = """
  __typename
  ... on AyrshareConversation { platform id ayrshareStatus: status }
  ... on PuffleConversation { id status unreadCount channel participantName lastMessageAt updatedAt }
  ... on HighLevelConversation { id message { id status } }
  ... on VcitaConversation { uid archived spam businessUnread deleted }
  ... on EbayConversation { id conversationType conversationStatus read }
"""
CONVERSATIONS = "query($refs: [ConversationRef!]!) { conversations(refs: $refs) { SELECTION } }"
CONVERSATION = "query($ref: ConversationRef!) { conversation(ref: $ref) { SELECTION } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { SELECTION } }"
CONVERSATIONS, CONVERSATION, ENTITIES = (
    query.replace("SELECTION", SELECTION) for query in (CONVERSATIONS, CONVERSATION, ENTITIES)
)

KNOWN_REFS: list[dict[str, Any]] = [
    {"ayrshare": {"platform": "INSTAGRAM", "id": "aWdfZMTpIyzQw"}},
    {"puffle": {"id": PUFFLE_MINE}},
    {"highLevel": {"id": "ABC12h2F6uBrIkfXYazb"}},
    {"ebay": {"id": "1000000000001", "conversationType": "FROM_MEMBERS"}},
]


def count_reads(monkeypatch: pytest.MonkeyPatch, upstreams: Upstreams) -> Counter[Provider]:
    """How many read batches each provider's client receives."""
    batches: Counter[Provider] = Counter()
    for provider, client in upstreams.clients.items():
        original = client.read

        async def counting(
            refs: Sequence[ConversationRef],
            _original: Any = original,
            _provider: Provider = provider,
        ) -> Mapping[ConversationRef, Any]:
            batches[_provider] += 1
            result: Mapping[ConversationRef, Any] = await _original(refs)
            return result

        monkeypatch.setattr(client, "read", counting)
    return batches


async def test_conversations_in_input_order_with_null_for_missing(
    json_snapshot: SnapshotAssertion,
) -> None:
    refs = [
        *KNOWN_REFS,
        {"puffle": {"id": PUFFLE_THEIRS}},
        {"ebay": {"id": "1000000000001", "conversationType": "FROM_EBAY"}},
        {"highLevel": {"id": "missing"}},
        {"ayrshare": {"platform": "TWITTER", "id": "missing"}},
    ]
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        body = await graphql(client, CONVERSATIONS, {"refs": refs})
    assert "errors" not in body
    conversations = body["data"]["conversations"]
    assert [c and c["__typename"] for c in conversations] == [
        "AyrshareConversation",
        "PuffleConversation",
        "HighLevelConversation",
        "EbayConversation",
        None,
        None,
        None,
        None,
    ]
    assert body == json_snapshot(matcher=VOLATILE)


async def test_conversation_is_null_when_not_found() -> None:
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        body = await graphql(client, CONVERSATION, {"ref": {"puffle": {"id": PUFFLE_THEIRS}}})
    assert body == {"data": {"conversation": None}}


async def test_vcita_read_is_refused_honestly_for_that_item_only() -> None:
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        body = await graphql(
            client,
            CONVERSATIONS,
            {"refs": [{"vcita": {"uid": "89m2pnabgozdvd9f"}}, {"puffle": {"id": PUFFLE_MINE}}]},
        )
    assert body["data"]["conversations"][0] is None
    assert body["data"]["conversations"][1]["id"] == PUFFLE_MINE
    [error] = body["errors"]
    assert error["path"] == ["conversations", 0]
    assert error["extensions"]["code"] == "READ_UNSUPPORTED"
    assert "no endpoint" in error["message"]


async def test_a_read_never_resets_puffle_unread_count() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        for _ in range(2):
            body = await graphql(client, CONVERSATION, {"ref": {"puffle": {"id": PUFFLE_MINE}}})
            assert body["data"]["conversation"]["unreadCount"] == 3
    assert sent and all(r.url.path == "/api/conversations" for r in sent)


async def test_a_hundred_mixed_entities_make_one_batch_per_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = [
        {"__typename": "AyrshareConversation", "platform": "INSTAGRAM", "id": "aWdfZMTpIyzQw"},
        {"__typename": "AyrshareConversation", "platform": "FACEBOOK", "id": "fbConv0001"},
        {"__typename": "PuffleConversation", "id": PUFFLE_MINE},
        {"__typename": "PuffleConversation", "id": PUFFLE_THEIRS},
        {"__typename": "HighLevelConversation", "id": "ABC12h2F6uBrIkfXYazb"},
        {
            "__typename": "EbayConversation",
            "id": "1000000000001",
            "conversationType": "FROM_MEMBERS",
        },
        {"__typename": "EbayConversation", "id": "1000000000002", "conversationType": "FROM_EBAY"},
        {"__typename": "VcitaConversation", "uid": "89m2pnabgozdvd9f"},
    ]
    unknown = [
        {"__typename": "PuffleConversation", "id": f"f11e8a2c-1234-4567-89ab-{n:012d}"}
        for n in range(20)
    ]
    representations = [dict(r) for r in (known * 10 + unknown)[:100]]
    assert len(representations) == 100
    upstreams = connect_upstreams(sandbox_settings())
    batches = count_reads(monkeypatch, upstreams)
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        body = await graphql(client, ENTITIES, {"r": representations})
    entities = body["data"]["_entities"]
    assert len(entities) == 100
    assert batches == Counter({p: 1 for p in Provider})
    # Identical references collapse: one upstream read per distinct need, no more.
    per_path = Counter(r.url.path for r in sent)
    assert per_path == Counter(
        {
            "/api/messages/instagram": 1,
            "/api/messages/facebook": 1,
            "/api/conversations": 1,
            "/conversations/ABC12h2F6uBrIkfXYazb": 1,
            "/commerce/message/v1/conversation": 2,
        }
    )
    assert all(r.method == "GET" for r in sent)
    # Each reference got its own answer; vcita's (unreadable) fail alone.
    assert entities[2]["unreadCount"] == 3
    assert entities[3] is None
    assert {tuple(e["path"]) for e in body["errors"]} == {
        ("_entities", 7 + 8 * k) for k in range(10)
    }
    assert entities[99] is None


async def test_a_failed_read_fails_only_its_own_entities() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        if request.url.host == "services.leadconnectorhq.com":
            return httpx.Response(401, json={"statusCode": 401, "message": "Invalid token"})
        return httpx.Response(
            200,
            json={
                "conversations": [
                    {
                        "id": PUFFLE_MINE,
                        "status": "active",
                        "unread_count": 3,
                        "channel": "linkedin",
                        "updated_at": "2026-04-22T10:00:00Z",
                    }
                ],
                "total": 1,
                "page": 1,
                "limit": 100,
            },
        )

    transport, _ = mock_upstream(upstream)
    async with client_for(connect_upstreams(live_settings(), transport=transport)) as client:
        body = await graphql(
            client,
            ENTITIES,
            {
                "r": [
                    {"__typename": "HighLevelConversation", "id": "ABC12h2F6uBrIkfXYazb"},
                    {"__typename": "PuffleConversation", "id": PUFFLE_MINE},
                ]
            },
        )
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["id"] == PUFFLE_MINE
    [error] = body["errors"]
    assert error["path"] == ["_entities", 0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["providerStatus"] == 401


async def test_a_malformed_representation_fails_alone() -> None:
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        body = await graphql(
            client,
            ENTITIES,
            {
                "r": [
                    {"__typename": "EbayConversation", "id": "1", "conversationType": "NOPE"},
                    {"__typename": "PuffleConversation", "id": PUFFLE_MINE},
                ]
            },
        )
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["id"] == PUFFLE_MINE
    assert "NOPE" in body["errors"][0]["message"]
