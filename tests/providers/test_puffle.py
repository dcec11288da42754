"""Puffle adapter: documented rules and the exact upstream request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.domain.puffle import (
    PuffleConversationRef,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.upstreams import AnyProviderClient, connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

CONVERSATION_ID = "f11e8a2c-1234-4567-89ab-cdef01234567"
LIST_URL = "https://app.puffle.ai/api/conversations"
CONVERSATION = {
    "id": CONVERSATION_ID,
    "user_id": "11111111-1111-1111-1111-111111111111",
    "account_id": "aaaa1111-1111-1111-1111-111111111111",
    "channel": "linkedin",
    "status": "archived",
    "external_id": "unipile_chat_abc123",
    "participant_name": "Jane Doe",
    "participant_email": None,
    "participant_linkedin_url": "https://linkedin.com/in/jane",
    "last_message_at": "2026-04-22T09:12:00Z",
    "unread_count": 0,
    "created_at": "2026-04-20T15:00:00Z",
    "updated_at": "2026-04-22T10:00:00Z",
}


def updated(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"conversation": CONVERSATION})


def other_ids(count: int) -> list[str]:
    return [f"f11e8a2c-1234-4567-89ab-{n:012d}" for n in range(1, count + 1)]


def listing(
    ids: list[str], *, limit: int, total: int | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """Puffle's list of `ids`, `limit` a page, answering the `page` asked for."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        records = [dict(CONVERSATION, id=i) for i in ids[(page - 1) * limit : page * limit]]
        return httpx.Response(
            200,
            json={
                "conversations": records,
                "total": len(ids) if total is None else total,
                "page": page,
                "limit": limit,
            },
        )

    return answer


def puffle_client(transport: httpx.MockTransport) -> AnyProviderClient:
    return connect_upstreams(live_settings(), transport=transport).client(Provider.PUFFLE)


def page_urls(count: int) -> list[str]:
    return [f"{LIST_URL}?page={page}" for page in range(1, count + 1)]


async def test_update_sends_documented_request() -> None:
    transport, seen = mock_upstream(updated)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "puffle": {
                    "id": CONVERSATION_ID,
                    "status": "ARCHIVED",
                    "unreadCount": 4503599627370495,
                }
            },
        )
    [request] = seen
    assert request.method == "PATCH"
    assert str(request.url) == f"https://app.puffle.ai/api/conversations/{CONVERSATION_ID}"
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.PUFFLE]}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"status": "archived", "unread_count": 4503599627370495}
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "PUFFLE",
        "conversation": {
            "__typename": "PuffleConversation",
            "id": CONVERSATION_ID,
            "status": "ARCHIVED",
            "unreadCount": 0,
            "channel": "linkedin",
            "participantName": "Jane Doe",
            "lastMessageAt": "2026-04-22T09:12:00+00:00",
            "updatedAt": "2026-04-22T10:00:00+00:00",
        },
    }


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(updated)
    settings = live_settings(INBOXGRAPH_PUFFLE_BASE_URL="https://puffle.internal/proxy/")
    async with app_client(settings, transport) as client:
        await update_one(client, {"puffle": {"id": CONVERSATION_ID, "unreadCount": 0}})
    assert str(seen[0].url) == f"https://puffle.internal/proxy/api/conversations/{CONVERSATION_ID}"
    assert json.loads(seen[0].content) == {"unread_count": 0}


def test_build_update_sends_only_given_fields() -> None:
    request = PuffleAdapter().build_update(
        PuffleConversationUpdate(id=CONVERSATION_ID, status=PuffleConversationStatus.ACTIVE)
    )
    assert (request.method, request.path, request.json) == (
        "PATCH",
        f"/api/conversations/{CONVERSATION_ID}",
        {"status": "active"},
    )


@pytest.mark.parametrize(
    ("update", "field"),
    [
        (PuffleConversationUpdate(id="not-a-uuid", unread_count=1), "puffle.id"),
        # The version digit must be 1-8 and the variant digit 8, 9, a or b.
        (
            PuffleConversationUpdate(id="f11e8a2c-1234-9567-89ab-cdef01234567", unread_count=1),
            "puffle.id",
        ),
        (
            PuffleConversationUpdate(id="f11e8a2c-1234-4567-c9ab-cdef01234567", unread_count=1),
            "puffle.id",
        ),
        # The pattern is matched whole: `$` alone would accept a trailing newline.
        (PuffleConversationUpdate(id=f"{CONVERSATION_ID}\n", unread_count=1), "puffle.id"),
        (PuffleConversationUpdate(id=CONVERSATION_ID), "puffle"),
        (PuffleConversationUpdate(id=CONVERSATION_ID, unread_count=-1), "puffle.unreadCount"),
        (PuffleConversationUpdate(id=CONVERSATION_ID, unread_count=2**53), "puffle.unreadCount"),
    ],
)
def test_validate_refuses_documented_violations(
    update: PuffleConversationUpdate, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        PuffleAdapter().validate(update)
    assert caught.value.field == field
    assert caught.value.code is UpdateErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    "conversation_id",
    [
        CONVERSATION_ID,
        CONVERSATION_ID.upper(),
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ],
)
@pytest.mark.parametrize("unread_count", [0, 2**53 - 1])
def test_validate_accepts_documented_ids_and_range(conversation_id: str, unread_count: int) -> None:
    PuffleAdapter().validate(
        PuffleConversationUpdate(id=conversation_id, unread_count=unread_count)
    )


async def test_id_with_a_trailing_newline_is_refused_before_sending() -> None:
    transport, seen = mock_upstream(updated)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client, {"puffle": {"id": f"{CONVERSATION_ID}\n", "status": "ARCHIVED"}}
        )
    assert seen == []
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "PUFFLE",
        "code": "INVALID_INPUT",
        "message": "puffle.id: must be a UUID matching Puffle's documented id pattern",
        "field": "puffle.id",
        "providerStatus": None,
        "providerCode": None,
        "retryable": False,
        "mayHaveBeenApplied": False,
    }


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>OK</html>"),
        httpx.Response(200, json={"ok": True}),
        httpx.Response(200, json={"conversation": {"id": CONVERSATION_ID}}),
        httpx.Response(200, json={"conversation": dict(CONVERSATION, status="deleted")}),
    ],
)
async def test_unreadable_success_may_have_been_applied(answer: httpx.Response) -> None:
    transport, seen = mock_upstream(lambda request: answer)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"puffle": {"id": CONVERSATION_ID, "unreadCount": 0}})
    assert len(seen) == 1
    assert (result["code"], result["providerStatus"]) == ("UNCONFIRMED", 200)
    assert (result["mayHaveBeenApplied"], result["retryable"]) == (True, False)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"error": "Conversation not found"}, ErrorDetails(message="Conversation not found")),
        ({"error": {"message": "nested"}}, ErrorDetails()),
        ({"message": "not Puffle's shape"}, ErrorDetails()),
        (None, ErrorDetails()),
    ],
)
def test_error_details_read_only_puffles_error_string(body: Any, details: ErrorDetails) -> None:
    assert PuffleAdapter().error_details(404, body) == details


async def test_read_pages_by_page_alone_at_the_answers_page_size() -> None:
    # The answer says 50 a page: the 101st conversation is on page 3, the last one.
    ids = other_ids(120)
    transport, seen = mock_upstream(listing(ids, limit=50))
    found = await puffle_client(transport).read([PuffleConversationRef(id=ids[100])])
    assert [str(r.url) for r in seen] == page_urls(3)
    assert all(r.method == "GET" for r in seen)
    assert {ref.id: c.id for ref, c in found.items()} == {ids[100]: ids[100]}


async def test_read_stops_at_the_end_of_the_list_it_is_told() -> None:
    transport, seen = mock_upstream(listing(other_ids(201), limit=100))
    found = await puffle_client(transport).read([PuffleConversationRef(id=CONVERSATION_ID)])
    assert found == {}
    assert [str(r.url) for r in seen] == page_urls(3)


async def test_read_stops_once_every_ref_is_found_or_a_page_is_empty() -> None:
    ids = [CONVERSATION_ID, *other_ids(99)]
    transport, seen = mock_upstream(listing(ids, limit=100, total=1000))
    client = puffle_client(transport)
    first = PuffleConversationRef(id=CONVERSATION_ID)
    upper = PuffleConversationRef(id=CONVERSATION_ID.upper())
    assert set(await client.read([first, upper])) == {first, upper}
    assert [str(r.url) for r in seen] == page_urls(1)
    seen.clear()
    missing = PuffleConversationRef(id="f11e8a2c-1234-4567-89ab-000000009999")
    assert await client.read([missing]) == {}
    assert [str(r.url) for r in seen] == page_urls(2)


async def test_read_never_opens_a_conversation() -> None:
    transport, seen = mock_upstream(listing([*other_ids(100), CONVERSATION_ID], limit=100))
    found = await puffle_client(transport).read([PuffleConversationRef(id=CONVERSATION_ID)])
    [conversation] = found.values()
    assert (conversation.status, conversation.unread_count) == (
        PuffleConversationStatus.ARCHIVED,
        0,
    )
    # `GET /api/conversations/{id}` would reset the unread count: only the list is read.
    assert [(r.method, r.url.path) for r in seen] == [("GET", "/api/conversations")] * 2


@pytest.mark.parametrize("conversation_id", ["not-a-uuid", f"{CONVERSATION_ID}\n"])
async def test_read_of_ids_outside_the_pattern_sends_nothing(conversation_id: str) -> None:
    transport, seen = mock_upstream(listing([CONVERSATION_ID], limit=50))
    found = await puffle_client(transport).read([PuffleConversationRef(id=conversation_id)])
    assert found == {}
    assert seen == []


async def test_unreadable_list_is_an_upstream_error() -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, json={"data": []}))
    with pytest.raises(ProviderError) as caught:
        await puffle_client(transport).read([PuffleConversationRef(id=CONVERSATION_ID)])
    assert caught.value.code is UpdateErrorCode.UPSTREAM_ERROR


@pytest.mark.parametrize("limit", [0, -50])
async def test_a_list_without_a_usable_page_size_is_an_upstream_error(limit: int) -> None:
    # A page size below 1 never reaches the end of the list: stop after one request.
    records = [dict(CONVERSATION, id=i) for i in other_ids(3)]

    def answer(request: httpx.Request) -> httpx.Response:
        if len(seen) > 5:
            return httpx.Response(503)
        body = {"conversations": records, "total": 3, "page": 1, "limit": limit}
        return httpx.Response(200, json=body)

    transport, seen = mock_upstream(answer)
    with pytest.raises(ProviderError) as caught:
        await puffle_client(transport).read([PuffleConversationRef(id=CONVERSATION_ID)])
    assert caught.value.code is UpdateErrorCode.UPSTREAM_ERROR
    assert len(seen) == 1
