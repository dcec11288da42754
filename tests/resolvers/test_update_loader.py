"""Update batches: one batch per provider, identical updates once, order kept, failures isolated."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from inboxgraph import update_batches
from inboxgraph.domain.ebay import EbayConversationType, EbayConversationUpdate
from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.providers.client import ProviderClient
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    UPDATE_ONE,
    client_for,
    graphql,
    live_settings,
    metric,
    mock_upstream,
    record_upstream,
    sandbox_settings,
    update_many,
)

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"


def puffle(
    status: str | None = None, unread: int | None = None, id: str = MINE
) -> dict[str, object]:
    update: dict[str, object] = {"id": id}
    if status is not None:
        update["status"] = status
    if unread is not None:
        update["unreadCount"] = unread
    return {"puffle": update}


async def test_identical_updates_are_sent_once_and_share_the_result() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        results = await update_many(client, [puffle("ARCHIVED"), puffle("ARCHIVED")])
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * 2
    assert results[0] == results[1]
    assert len(sent) == 1


async def test_null_and_absent_fields_count_as_identical() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        await update_many(
            client,
            [
                puffle("ARCHIVED"),
                {"puffle": {"id": MINE, "status": "ARCHIVED", "unreadCount": None}},
            ],
        )
    assert len(sent) == 1


async def test_every_input_gets_one_result_in_input_order() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    async with client_for(upstreams) as client:
        results = await update_many(
            client,
            [
                puffle(unread=1, id=THEIRS),
                puffle(unread=5),
                puffle(id="bad"),
                puffle(unread=7),
            ],
        )
    assert [r.get("code") for r in results] == ["NOT_FOUND", None, "INVALID_INPUT", None]
    assert [r["conversation"]["unreadCount"] for r in (results[1], results[3])] == [5, 7]


async def test_updates_to_one_target_leave_the_state_a_serial_run_would() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        await update_many(client, [puffle("ARCHIVED"), puffle("ACTIVE"), puffle("ARCHIVED")])
        final = await graphql(
            client,
            '{ conversation(ref: {puffle: {id: "MINE"}}) { ... on PuffleConversation { status } } }'.replace(
                "MINE", MINE
            ),
        )
    # Two distinct updates, the repeated one applied last, as its last position says.
    assert [json.loads(r.content) for r in sent if r.method == "PATCH"] == [
        {"status": "active"},
        {"status": "archived"},
    ]
    assert final["data"]["conversation"]["status"] == "ARCHIVED"


async def test_one_request_makes_one_batch_per_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[tuple[Provider, int]] = []
    original = update_batches.apply_updates

    async def counting(
        client: ProviderClient[Any, Any, Any], updates: Sequence[ConversationUpdate]
    ) -> Any:
        batches.append((client.adapter.provider, len(updates)))
        return await original(client, updates)

    monkeypatch.setattr(update_batches, "apply_updates", counting)
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        await update_many(client, [puffle(unread=n) for n in range(10)])
    assert batches == [(Provider.PUFFLE, 10)]
    assert len(sent) == 10


async def test_each_batch_size_is_observed() -> None:
    labels = {"provider": "PUFFLE", "kind": "update"}
    batches = metric("inboxgraph_loader_batch_size_count", **labels)
    items = metric("inboxgraph_loader_batch_size_sum", **labels)
    ones = metric("inboxgraph_loader_batch_size_bucket", le="1.0", **labels)
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        await update_many(client, [puffle(unread=n) for n in range(7)])
    assert metric("inboxgraph_loader_batch_size_count", **labels) == batches + 1
    assert metric("inboxgraph_loader_batch_size_sum", **labels) == items + 7
    assert metric("inboxgraph_loader_batch_size_bucket", le="1.0", **labels) == ones


async def test_a_repeated_mutation_field_is_applied_again() -> None:
    # Top-level mutation fields run one after another: a later field repeating an
    # earlier update must not be answered from a cache.
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    document = """
      mutation {
        a: updateConversation(input: {puffle: {id: "%s", status: ARCHIVED}}) { __typename }
        b: updateConversation(input: {puffle: {id: "%s", status: ACTIVE}}) { __typename }
        c: updateConversation(input: {puffle: {id: "%s", status: ARCHIVED}}) { __typename }
      }
    """.replace("%s", MINE)
    async with client_for(upstreams) as client:
        body = await graphql(client, document)
    assert body["data"] == {
        "a": {"__typename": "ConversationUpdated"},
        "b": {"__typename": "ConversationUpdated"},
        "c": {"__typename": "ConversationUpdated"},
    }
    assert [json.loads(r.content)["status"] for r in sent] == ["archived", "active", "archived"]


async def test_an_unexpected_failure_fails_only_its_own_item() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        if b'"unread_count":1' in request.content or b'"unread_count": 1' in request.content:
            return httpx.Response(200, json={"conversation": {"id": MINE}})  # unreadable body
        return httpx.Response(
            200,
            json={
                "conversation": {
                    "id": MINE,
                    "status": "active",
                    "unread_count": 2,
                    "channel": "email",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            },
        )

    transport, _ = mock_upstream(upstream)
    async with client_for(connect_upstreams(live_settings(), transport=transport)) as client:
        results = await update_many(client, [puffle(unread=1), puffle(unread=2)])
    assert results[0]["code"] == "UNCONFIRMED"
    assert results[0]["providerStatus"] == 200
    assert results[0]["mayHaveBeenApplied"] is True
    assert results[1]["__typename"] == "ConversationUpdated"


async def test_invalid_input_sends_nothing_upstream() -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(500))
    async with client_for(connect_upstreams(live_settings(), transport=transport)) as client:
        body = await graphql(client, UPDATE_ONE, {"input": puffle(unread=-1)})
    assert body["data"]["updateConversation"]["code"] == "INVALID_INPUT"
    assert body["data"]["updateConversation"]["field"] == "puffle.unreadCount"
    assert seen == []


# --- Through a provider's batch form (eBay's bulk update) ---


def _ebay(conversation_id: str, conversation_type: EbayConversationType) -> EbayConversationUpdate:
    return EbayConversationUpdate(conversation_id, conversation_type, read=True)


def test_chunks_hold_at_most_the_batch_size_each_key_once_in_order() -> None:
    client = connect_upstreams(sandbox_settings()).client(Provider.EBAY)
    members = [_ebay(str(n), EbayConversationType.FROM_MEMBERS) for n in range(12)]
    # The same ids in the other type: other conversations, but answered under the same id.
    from_ebay = [_ebay(str(n), EbayConversationType.FROM_EBAY) for n in range(4)]
    interleaved = [u for pair in zip(members, from_ebay, strict=False) for u in pair]
    updates = interleaved + members[4:]
    assert update_batches.chunks(client, updates) == [
        members[:10],
        [*from_ebay, *members[10:]],
    ]


async def test_an_ebay_batch_makes_one_call_per_ten_updates() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    updates = [
        {"ebay": {"conversationId": conversation_id, "conversationType": kind, "read": True}}
        for conversation_id, kind in (
            ("1000000000001", "FROM_MEMBERS"),
            ("1000000000002", "FROM_EBAY"),
        )
    ] * 6  # identical updates are sent once
    async with client_for(upstreams) as client:
        results = await update_many(client, updates)
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * 12
    posts = [r for r in sent if r.method == "POST"]
    assert len(posts) == 1
    assert len(json.loads(posts[0].content)["conversations"]) == 2
