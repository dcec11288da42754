"""Puffle adapter: documented rules and the exact upstream request."""

from __future__ import annotations

import json

import httpx
import pytest

from inboxgraph.providers.errors import InvalidInput
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.schema.enums import PuffleConversationStatus, UpdateErrorCode
from inboxgraph.schema.inputs import PuffleConversationUpdate
from inboxgraph.upstreams import connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

CONVERSATION_ID = "f11e8a2c-1234-4567-89ab-cdef01234567"
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


async def test_update_sends_documented_request() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(200, json={"conversation": CONVERSATION})
    )
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
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[PuffleAdapter.provider]}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"status": "archived", "unread_count": 4503599627370495}
    assert result["conversation"] == {
        "__typename": "PuffleConversation",
        "id": CONVERSATION_ID,
        "status": "ARCHIVED",
        "unreadCount": 0,
        "channel": "linkedin",
        "participantName": "Jane Doe",
        "lastMessageAt": "2026-04-22T09:12:00+00:00",
        "updatedAt": "2026-04-22T10:00:00+00:00",
    }


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(200, json={"conversation": CONVERSATION})
    )
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
        (PuffleConversationUpdate(id=CONVERSATION_ID), "puffle"),
        (PuffleConversationUpdate(id=CONVERSATION_ID, unread_count=-1), "puffle.unreadCount"),
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
def test_validate_accepts_documented_ids(conversation_id: str) -> None:
    PuffleAdapter().validate(PuffleConversationUpdate(id=conversation_id, unread_count=2**53 - 1))


async def test_read_pages_through_the_list_and_never_opens_a_conversation() -> None:
    other = "f11e8a2c-1234-4567-89ab-000000000150"

    def upstream(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        record = dict(CONVERSATION, id=CONVERSATION_ID if page == 1 else other)
        return httpx.Response(
            200, json={"conversations": [record], "total": 150, "page": page, "limit": 100}
        )

    transport, seen = mock_upstream(upstream)
    gateway = connect_upstreams(live_settings(), transport=transport).gateway(
        PuffleAdapter.provider
    )
    found = await gateway.read([CONVERSATION_ID, other.upper(), "not-a-uuid"])
    assert set(found) == {CONVERSATION_ID, other}
    assert [str(r.url) for r in seen] == [
        "https://app.puffle.ai/api/conversations?page=1&limit=100",
        "https://app.puffle.ai/api/conversations?page=2&limit=100",
    ]
    assert all(r.method == "GET" for r in seen)
