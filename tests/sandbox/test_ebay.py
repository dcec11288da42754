"""eBay emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from inboxgraph.sandbox.ebay import (
    SANDBOX_TOKEN,
    SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE,
    EbayState,
    create_app,
)

MEMBERS = "1000000000001"
FROM_EBAY = "1000000000002"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
UPDATE = "/commerce/message/v1/update_conversation"
BULK = "/commerce/message/v1/bulk_update_conversation"
LIST = "/commerce/message/v1/conversation"


def client_for(
    state: EbayState | None = None, headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(state))
    return httpx.AsyncClient(
        transport=transport, base_url="http://ebay", headers=AUTH if headers is None else headers
    )


@pytest.fixture
async def ebay() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for() as client:
        yield client


def error_id(response: httpx.Response) -> int:
    [error] = response.json()["errors"]
    assert set(error) == {"errorId", "domain", "category", "message"}
    return int(error["errorId"])


def bulk_entry(conversation_id: object, kind: object, status: object) -> dict[str, object]:
    return {
        "conversationId": conversation_id,
        "conversationType": kind,
        "conversationStatus": status,
    }


async def listed(ebay: httpx.AsyncClient, conversation_id: str, kind: str) -> dict[str, Any]:
    response = await ebay.get(LIST, params={"conversation_type": kind})
    assert response.status_code == 200
    [conversation] = [
        c for c in response.json()["conversations"] if c["conversationId"] == conversation_id
    ]
    return dict(conversation)


async def test_mark_read_answers_204_without_body(ebay: httpx.AsyncClient) -> None:
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["unreadCount"] == 1
    response = await ebay.post(
        UPDATE, json={"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS", "read": True}
    )
    assert (response.status_code, response.content) == (204, b"")
    conversation = await listed(ebay, MEMBERS, "FROM_MEMBERS")
    assert conversation["unreadCount"] == 0
    assert conversation["latestMessage"]["readStatus"] is True


async def test_mark_unread_unreads_the_latest_message(ebay: httpx.AsyncClient) -> None:
    for read in (True, False):
        response = await ebay.post(
            UPDATE,
            json={"conversationId": FROM_EBAY, "conversationType": "FROM_EBAY", "read": read},
        )
        assert response.status_code == 204
    conversation = await listed(ebay, FROM_EBAY, "FROM_EBAY")
    assert conversation["unreadCount"] == 1
    assert conversation["latestMessage"]["readStatus"] is False


@pytest.mark.parametrize("status", ["ARCHIVE", "DELETE", "ACTIVE"])
async def test_conversation_status_is_set(ebay: httpx.AsyncClient, status: str) -> None:
    response = await ebay.post(
        UPDATE,
        json={
            "conversationId": MEMBERS,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": status,
        },
    )
    assert response.status_code == 204
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["conversationStatus"] == status


async def test_read_wins_and_conversation_status_is_ignored(ebay: httpx.AsyncClient) -> None:
    response = await ebay.post(
        UPDATE,
        json={
            "conversationId": MEMBERS,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ARCHIVE",
            "read": True,
        },
    )
    assert response.status_code == 204
    conversation = await listed(ebay, MEMBERS, "FROM_MEMBERS")
    assert (conversation["conversationStatus"], conversation["unreadCount"]) == ("ACTIVE", 0)


async def test_an_invalid_status_next_to_read_is_ignored_too(ebay: httpx.AsyncClient) -> None:
    response = await ebay.post(
        UPDATE,
        json={
            "conversationId": MEMBERS,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "SHRED",
            "read": True,
        },
    )
    assert response.status_code == 204


async def calls_on_every_route(ebay: httpx.AsyncClient) -> list[httpx.Response]:
    """One call to each route, with the client's credentials."""
    body = {"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS", "read": True}
    entry = bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE")
    return [
        await ebay.post(UPDATE, json=body),
        await ebay.post(BULK, json={"conversations": [entry]}),
        await ebay.get(LIST, params={"conversation_type": "FROM_MEMBERS"}),
        await ebay.get(f"{LIST}/{MEMBERS}", params={"conversation_type": "FROM_MEMBERS"}),
    ]


async def assert_unchanged(state: EbayState) -> None:
    async with client_for(state) as ebay:
        members = await listed(ebay, MEMBERS, "FROM_MEMBERS")
    assert (members["conversationStatus"], members["unreadCount"]) == ("ACTIVE", 1)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer "},
        {"Authorization": SANDBOX_TOKEN},
        {"Authorization": f"Basic {SANDBOX_TOKEN}"},
        {"Authorization": "Bearer not-a-token"},
    ],
    ids=["no-header", "empty", "no-token", "no-scheme", "basic-scheme", "unknown-token"],
)
async def test_a_missing_malformed_or_unknown_credential_is_401(headers: dict[str, str]) -> None:
    # 401 is in the update doc's status table; errorId 1001 is inferred (eBay's common
    # errors, where a missing token or another scheme would be 400 with 1002/1003).
    state = EbayState()
    async with client_for(state, headers=headers) as ebay:
        for response in await calls_on_every_route(ebay):
            assert response.status_code == 401, response.request.url
            assert error_id(response) == 1001
    await assert_unchanged(state)


async def test_a_token_without_the_message_scope_is_403() -> None:
    # 403 and the scope are in the update doc; errorId 1100 is inferred.
    state = EbayState()
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE}"}
    async with client_for(state, headers=headers) as ebay:
        for response in await calls_on_every_route(ebay):
            assert response.status_code == 403, response.request.url
            assert error_id(response) == 1100
    await assert_unchanged(state)


async def test_a_refused_credential_is_never_echoed() -> None:
    async with client_for(headers={"Authorization": "Basic c2VjcmV0"}) as ebay:
        for response in await calls_on_every_route(ebay):
            assert response.status_code == 401
            assert "c2VjcmV0" not in response.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "application/json"),
        (b"{not json", "application/json"),
        (b"[1]", "application/json"),
        (
            b'{"conversationId": "1000000000001", "conversationType": "FROM_MEMBERS", "read": true}',
            "text/plain",
        ),
    ],
)
async def test_a_json_object_body_is_required(
    ebay: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await ebay.post(UPDATE, content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert error_id(response) == 2004


@pytest.mark.parametrize("conversation_type", [None, "FROM_BUYERS", "from_members", ["FROM_EBAY"]])
async def test_conversation_type_must_be_a_documented_value(
    ebay: httpx.AsyncClient, conversation_type: object
) -> None:
    body: dict[str, Any] = {"conversationId": MEMBERS, "read": True}
    if conversation_type is not None:
        body["conversationType"] = conversation_type
    response = await ebay.post(UPDATE, json=body)
    assert response.status_code == 400
    assert error_id(response) == 355002


@pytest.mark.parametrize("status", ["ARCHIVED", "READ", "active", None, 3])
async def test_conversation_status_must_be_a_documented_value(
    ebay: httpx.AsyncClient, status: object
) -> None:
    body: dict[str, Any] = {"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS"}
    if status is not None:
        body["conversationStatus"] = status
    response = await ebay.post(UPDATE, json=body)
    assert response.status_code == 400
    assert error_id(response) == 355001


async def test_read_must_be_a_boolean(ebay: httpx.AsyncClient) -> None:
    response = await ebay.post(
        UPDATE, json={"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS", "read": "yes"}
    )
    assert response.status_code == 400
    assert error_id(response) == 2004


@pytest.mark.parametrize(
    "body",
    [
        {"conversationId": "999", "conversationType": "FROM_MEMBERS", "read": True},
        {"conversationType": "FROM_MEMBERS", "read": True},
        {"conversationId": 1000000000001, "conversationType": "FROM_MEMBERS", "read": True},
    ],
    ids=["unknown", "missing", "not-a-string"],
)
async def test_unrecognized_conversation_is_400_355007(
    ebay: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await ebay.post(UPDATE, json=body)
    assert response.status_code == 400
    assert error_id(response) == 355007
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["unreadCount"] == 1


async def test_a_type_other_than_the_conversations_own_is_355007(
    ebay: httpx.AsyncClient,
) -> None:
    # Inferred: the doc requires the existing type but names no error for a mismatch;
    # 355007 is its closest documented error (see the emulator's docstring).
    body = {"conversationId": MEMBERS, "conversationType": "FROM_EBAY", "read": True}
    response = await ebay.post(UPDATE, json=body)
    assert (response.status_code, error_id(response)) == (400, 355007)
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["unreadCount"] == 1
    own_type = await ebay.post(UPDATE, json={**body, "conversationType": "FROM_MEMBERS"})
    assert own_type.status_code == 204


async def test_bulk_update_succeeds_and_fails_per_conversation(ebay: httpx.AsyncClient) -> None:
    entries = [
        bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE"),
        bulk_entry(FROM_EBAY, "FROM_EBAY", "READ"),
        bulk_entry(MEMBERS, "FROM_EBAY", "READ"),
        bulk_entry("999", "FROM_MEMBERS", "DELETE"),
        bulk_entry(FROM_EBAY, "FROM_EBAY", "SHRED"),
        bulk_entry(FROM_EBAY, "FROM_BUYERS", "DELETE"),
    ]
    response = await ebay.post(BULK, json={"conversations": entries})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversationsMetadata", "conversationsResponse"}
    assert body["conversationsMetadata"] == {
        "totalConversationsCount": 6,
        "updateSuccessCount": 2,
        "updateFailureCount": 4,
    }
    assert sorted(
        (answer["conversationId"], answer["updateStatus"])
        for answer in body["conversationsResponse"]
    ) == sorted(
        [
            (MEMBERS, "SUCCESSFUL"),
            (FROM_EBAY, "SUCCESSFUL"),
            (MEMBERS, "FAILURE"),
            ("999", "FAILURE"),
            (FROM_EBAY, "FAILURE"),
            (FROM_EBAY, "FAILURE"),
        ]
    )
    members = await listed(ebay, MEMBERS, "FROM_MEMBERS")
    assert (members["conversationStatus"], members["unreadCount"]) == ("ARCHIVE", 1)
    from_ebay = await listed(ebay, FROM_EBAY, "FROM_EBAY")
    assert (from_ebay["conversationStatus"], from_ebay["unreadCount"]) == ("ACTIVE", 0)


async def test_bulk_answers_are_not_in_request_order(ebay: httpx.AsyncClient) -> None:
    # The order is not documented: a client must match answers by conversationId.
    entries = [
        bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE"),
        bulk_entry("999", "FROM_MEMBERS", "ARCHIVE"),
        bulk_entry(FROM_EBAY, "FROM_EBAY", "ARCHIVE"),
    ]
    response = await ebay.post(BULK, json={"conversations": entries})
    assert response.json()["conversationsResponse"] == [
        {"conversationId": FROM_EBAY, "updateStatus": "SUCCESSFUL"},
        {"conversationId": "999", "updateStatus": "FAILURE"},
        {"conversationId": MEMBERS, "updateStatus": "SUCCESSFUL"},
    ]


async def test_bulk_read_and_unread(ebay: httpx.AsyncClient) -> None:
    for status, unread_count in (("READ", 0), ("UNREAD", 1), ("READ", 0)):
        response = await ebay.post(
            BULK, json={"conversations": [bulk_entry(MEMBERS, "FROM_MEMBERS", status)]}
        )
        assert response.json()["conversationsResponse"] == [
            {"conversationId": MEMBERS, "updateStatus": "SUCCESSFUL"}
        ]
        conversation = await listed(ebay, MEMBERS, "FROM_MEMBERS")
        assert (conversation["conversationStatus"], conversation["unreadCount"]) == (
            "ACTIVE",
            unread_count,
        )


@pytest.mark.parametrize(
    "body",
    [
        {"conversations": []},
        {"conversations": "all"},
        {"conversations": [1]},
        {},
        {"conversations": [bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE")] * 11},
        {
            "conversations": [bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE")]
            + [bulk_entry(f"2{n:012d}", "FROM_MEMBERS", "ARCHIVE") for n in range(10)]
        },
    ],
    ids=["empty", "not-a-list", "not-objects", "missing", "eleven", "eleven-distinct"],
)
async def test_bulk_takes_one_to_ten_conversations(
    ebay: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await ebay.post(BULK, json=body)
    assert response.status_code == 400
    assert error_id(response) == 2004
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["conversationStatus"] == "ACTIVE"


async def test_bulk_takes_ten(ebay: httpx.AsyncClient) -> None:
    entries = [bulk_entry(MEMBERS, "FROM_MEMBERS", "ARCHIVE")] * 10
    response = await ebay.post(BULK, json={"conversations": entries})
    assert response.status_code == 200
    assert response.json()["conversationsMetadata"]["updateSuccessCount"] == 10
    assert (await listed(ebay, MEMBERS, "FROM_MEMBERS"))["conversationStatus"] == "ARCHIVE"


async def test_bulk_needs_a_json_body(ebay: httpx.AsyncClient) -> None:
    content = b'{"conversations": [{"conversationId": "1000000000001"}]}'
    response = await ebay.post(BULK, content=content, headers={"Content-Type": "text/plain"})
    assert (response.status_code, error_id(response)) == (400, 2004)


async def test_get_conversations_lists_one_type(ebay: httpx.AsyncClient) -> None:
    response = await ebay.get(LIST, params={"conversation_type": "FROM_MEMBERS"})
    assert response.status_code == 200
    assert response.json() == {
        "conversations": [
            {
                "conversationId": MEMBERS,
                "conversationStatus": "ACTIVE",
                "conversationTitle": "Question about your listing",
                "conversationType": "FROM_MEMBERS",
                "createdDate": "2026-04-22T09:12:00.000Z",
                "unreadCount": 1,
                "latestMessage": {
                    "messageId": f"{MEMBERS}-1",
                    "createdDate": "2026-04-22T09:12:00.000Z",
                    "subject": "Question about your listing",
                    "messageBody": "Hi! Is this item still available?",
                    "senderUsername": "sandbox_buyer",
                    "recipientUsername": "sandbox_seller",
                    "readStatus": False,
                    "messageMedia": [],
                },
            }
        ],
        "href": "http://ebay/commerce/message/v1/conversation?conversation_type=FROM_MEMBERS",
        "limit": 25,
        "offset": 0,
        "total": 1,
    }


@pytest.mark.parametrize("params", [{}, {"conversation_type": "FROM_BUYERS"}])
async def test_get_conversations_requires_conversation_type(
    ebay: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await ebay.get(LIST, params=params)
    assert response.status_code == 400
    assert error_id(response) == 355002


async def test_get_conversations_filters_by_status(ebay: httpx.AsyncClient) -> None:
    await ebay.post(
        UPDATE,
        json={
            "conversationId": MEMBERS,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ARCHIVE",
        },
    )
    for status, expected in (("ARCHIVE", [MEMBERS]), ("ACTIVE", [])):
        response = await ebay.get(
            LIST, params={"conversation_type": "FROM_MEMBERS", "conversation_status": status}
        )
        assert [c["conversationId"] for c in response.json()["conversations"]] == expected
    invalid = await ebay.get(
        LIST, params={"conversation_type": "FROM_MEMBERS", "conversation_status": "ARCHIVED"}
    )
    assert (invalid.status_code, error_id(invalid)) == (400, 355001)


async def test_get_conversations_pages_25_by_default_and_50_at_most() -> None:
    records = [
        {
            "conversationId": f"2{n:012d}",
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ACTIVE",
            "read": True,
        }
        for n in range(60)
    ]
    async with client_for(EbayState(records)) as ebay:
        first = (await ebay.get(LIST, params={"conversation_type": "FROM_MEMBERS"})).json()
        assert (len(first["conversations"]), first["total"], first["limit"]) == (25, 60, 25)
        assert first["next"].endswith("conversation_type=FROM_MEMBERS&limit=25&offset=25")
        assert "prev" not in first
        last = (
            await ebay.get(
                LIST, params={"conversation_type": "FROM_MEMBERS", "limit": 50, "offset": 50}
            )
        ).json()
        assert (len(last["conversations"]), last["offset"]) == (10, 50)
        assert "next" not in last
        assert last["prev"].endswith("limit=50&offset=0")
        seen = {c["conversationId"] for c in first["conversations"] + last["conversations"]}
        assert len(seen) == 35
        for params in ({"limit": 51}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}):
            response = await ebay.get(LIST, params={"conversation_type": "FROM_MEMBERS", **params})
            assert (response.status_code, error_id(response)) == (400, 2004)


async def test_get_conversation_returns_its_messages(ebay: httpx.AsyncClient) -> None:
    response = await ebay.get(f"{LIST}/{FROM_EBAY}", params={"conversation_type": "FROM_EBAY"})
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "messages"} == {
        "conversationStatus": "ACTIVE",
        "conversationTitle": "A message from eBay",
        "conversationType": "FROM_EBAY",
        "href": f"http://ebay/commerce/message/v1/conversation/{FROM_EBAY}?conversation_type=FROM_EBAY",
        "limit": 25,
        "offset": 0,
        "total": 1,
    }
    [message] = body["messages"]
    assert (message["senderUsername"], message["readStatus"]) == ("eBay", False)


@pytest.mark.parametrize(
    ("path", "params", "expected_error_id"),
    [
        (f"{LIST}/{FROM_EBAY}", {}, 355002),
        (f"{LIST}/{FROM_EBAY}", {"conversation_type": "FROM_MEMBERS"}, 355007),
        (f"{LIST}/999", {"conversation_type": "FROM_EBAY"}, 355007),
        (f"{LIST}/{FROM_EBAY}", {"conversation_type": "FROM_EBAY", "limit": 51}, 2004),
    ],
)
async def test_get_conversation_needs_the_matching_type(
    ebay: httpx.AsyncClient, path: str, params: dict[str, Any], expected_error_id: int
) -> None:
    response = await ebay.get(path, params=params)
    assert response.status_code == 400
    assert error_id(response) == expected_error_id


async def test_reading_changes_nothing(ebay: httpx.AsyncClient) -> None:
    before = await listed(ebay, MEMBERS, "FROM_MEMBERS")
    opened = await ebay.get(f"{LIST}/{MEMBERS}", params={"conversation_type": "FROM_MEMBERS"})
    assert opened.status_code == 200
    assert await listed(ebay, MEMBERS, "FROM_MEMBERS") == before
    assert before["unreadCount"] == 1
