"""eBay adapter: documented rules, the exact upstream request and eBay's error bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from inboxgraph.domain.ebay import (
    EbayConversation,
    EbayConversationRef,
    EbayConversationStatus,
    EbayConversationType,
    EbayConversationUpdate,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.ebay import EbayAdapter
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.upstreams import connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

CONVERSATION_ID = "1000000000001"
UPDATE_URL = "https://api.ebay.com/commerce/message/v1/update_conversation"


def no_content(request: httpx.Request) -> httpx.Response:
    return httpx.Response(204)


def ebay_error(error_id: int, message: str, category: str = "REQUEST") -> dict[str, Any]:
    return {
        "errors": [
            {"errorId": error_id, "domain": "API_MESSAGE", "category": category, "message": message}
        ]
    }


def updated_then_listed(request: httpx.Request) -> httpx.Response:
    """eBay after an update: 204 for it, then the listing the update is completed from."""
    if request.method == "POST":
        return httpx.Response(204)
    return httpx.Response(
        200,
        json={
            "conversations": [
                {
                    "conversationId": CONVERSATION_ID,
                    "conversationStatus": "ACTIVE",
                    "conversationType": request.url.params["conversation_type"],
                    "unreadCount": 0,
                },
                {
                    "conversationId": "1000000000002",
                    "conversationStatus": "ARCHIVE",
                    "conversationType": request.url.params["conversation_type"],
                    "unreadCount": 2,
                },
            ],
            "total": 2,
        },
    )


async def test_mark_read_sends_documented_request() -> None:
    transport, seen = mock_upstream(updated_then_listed)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ebay": {
                    "conversationId": CONVERSATION_ID,
                    "conversationType": "FROM_MEMBERS",
                    "read": True,
                }
            },
        )
    request, read = seen
    assert request.method == "POST"
    assert str(request.url) == UPDATE_URL
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[EbayAdapter.provider]}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "conversationId": CONVERSATION_ID,
        "conversationType": "FROM_MEMBERS",
        "read": True,
    }
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "EBAY",
        "conversation": {
            "__typename": "EbayConversation",
            "id": CONVERSATION_ID,
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ACTIVE",  # not touched: told by the read after the update
            "read": True,
        },
    }
    assert (read.method, read.url.path, dict(read.url.params)) == (
        "GET",
        "/commerce/message/v1/conversation",
        {"conversation_type": "FROM_MEMBERS", "limit": "50", "offset": "0"},
    )


async def test_status_update_sends_only_conversation_status() -> None:
    transport, seen = mock_upstream(updated_then_listed)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ebay": {
                    "conversationId": "1000000000002",
                    "conversationType": "FROM_EBAY",
                    "conversationStatus": "ARCHIVE",
                }
            },
        )
    request, read = seen
    assert (request.method, str(request.url)) == ("POST", UPDATE_URL)
    assert json.loads(request.content) == {
        "conversationId": "1000000000002",
        "conversationType": "FROM_EBAY",
        "conversationStatus": "ARCHIVE",
    }
    assert result["conversation"] == {
        "__typename": "EbayConversation",
        "id": "1000000000002",
        "conversationType": "FROM_EBAY",
        "conversationStatus": "ARCHIVE",
        "read": False,  # not touched: told by the read after the update
    }
    assert read.method == "GET"


async def test_a_failed_read_after_the_update_leaves_the_update_standing() -> None:
    transport, seen = mock_upstream(
        lambda r: httpx.Response(204) if r.method == "POST" else httpx.Response(503)
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ebay": {
                    "conversationId": CONVERSATION_ID,
                    "conversationType": "FROM_MEMBERS",
                    "read": True,
                }
            },
        )
    assert [r.method for r in seen] == ["POST", "GET"]
    assert result["__typename"] == "ConversationUpdated"
    assert result["conversation"]["read"] is True
    assert result["conversation"]["conversationStatus"] is None  # unknown, not invented


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(no_content)
    settings = live_settings(
        INBOXGRAPH_EBAY_BASE_URL="https://api.sandbox.ebay.com/commerce/message/v1/"
    )
    async with app_client(settings, transport) as client:
        await update_one(
            client,
            {
                "ebay": {
                    "conversationId": CONVERSATION_ID,
                    "conversationType": "FROM_MEMBERS",
                    "read": False,
                }
            },
        )
    assert (
        str(seen[0].url) == "https://api.sandbox.ebay.com/commerce/message/v1/update_conversation"
    )
    assert json.loads(seen[0].content)["read"] is False


async def test_unknown_conversation_is_not_found_although_ebay_answers_400() -> None:
    transport, _ = mock_upstream(
        lambda request: httpx.Response(
            400, json=ebay_error(355007, "Invalid or unrecognized conversation_id value.")
        )
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ebay": {
                    "conversationId": "999",
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": "DELETE",
                }
            },
        )
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "EBAY",
        "code": "NOT_FOUND",
        "message": "eBay answered HTTP 400: Invalid or unrecognized conversation_id value.",
        "field": None,
        "providerStatus": 400,
        "providerCode": "355007",
        "retryable": False,
        "mayHaveBeenApplied": False,
    }


@pytest.mark.parametrize(
    ("status", "error_id", "message", "code"),
    [
        (401, 1001, "Invalid access token", "UNAUTHENTICATED"),
        (403, 1100, "Access denied: Insufficient permissions", "FORBIDDEN"),
        # eBay's common OAuth errors, not in the update doc: the HTTP status decides.
        (400, 1002, "Missing access token", "UPSTREAM_ERROR"),
        (400, 1003, "Token type in the Authorization header is invalid", "UPSTREAM_ERROR"),
    ],
)
async def test_credential_errors_follow_the_documented_status(
    status: int, error_id: int, message: str, code: str
) -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            status,
            json={
                "errors": [
                    {
                        "errorId": error_id,
                        "domain": "OAuth",
                        "category": "REQUEST",
                        "message": message,
                    }
                ]
            },
        )
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ebay": {
                    "conversationId": CONVERSATION_ID,
                    "conversationType": "FROM_MEMBERS",
                    "read": True,
                }
            },
        )
    assert len(seen) == 1
    assert {k: result[k] for k in ("code", "providerStatus", "providerCode", "retryable")} == {
        "code": code,
        "providerStatus": status,
        "providerCode": str(error_id),
        "retryable": False,
    }
    assert result["mayHaveBeenApplied"] is False


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"conversationId": "", "read": True}, "ebay.conversationId"),
        ({"conversationId": "   ", "read": True}, "ebay.conversationId"),
        ({"conversationId": CONVERSATION_ID}, "ebay"),
        ({"conversationId": CONVERSATION_ID, "read": None}, "ebay"),
        (
            {"conversationId": CONVERSATION_ID, "read": True, "conversationStatus": "ARCHIVE"},
            "ebay.conversationStatus",
        ),
    ],
)
async def test_invalid_input_is_refused_before_any_call(input: dict[str, Any], field: str) -> None:
    transport, seen = mock_upstream(no_content)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"ebay": {"conversationType": "FROM_MEMBERS", **input}})
    assert (result["code"], result["field"]) == ("INVALID_INPUT", field)
    assert seen == []


def test_neither_field_names_both() -> None:
    with pytest.raises(InvalidInput) as caught:
        EbayAdapter().validate(
            EbayConversationUpdate(
                conversation_id=CONVERSATION_ID,
                conversation_type=EbayConversationType.FROM_MEMBERS,
            )
        )
    assert caught.value.field == "ebay"
    assert "conversationStatus" in caught.value.message
    assert "read" in caught.value.message


def test_both_fields_explain_that_ebay_would_ignore_the_status() -> None:
    with pytest.raises(InvalidInput) as caught:
        EbayAdapter().validate(
            EbayConversationUpdate(
                conversation_id=CONVERSATION_ID,
                conversation_type=EbayConversationType.FROM_MEMBERS,
                conversation_status=EbayConversationStatus.DELETE,
                read=False,
            )
        )
    assert caught.value.field == "ebay.conversationStatus"
    assert "ignores conversationStatus when read is given" in caught.value.message
    assert "two updates" in caught.value.message


@pytest.mark.parametrize(
    "update",
    [
        EbayConversationUpdate(
            conversation_id=CONVERSATION_ID,
            conversation_type=EbayConversationType.FROM_EBAY,
            read=False,
        ),
        EbayConversationUpdate(
            conversation_id=CONVERSATION_ID,
            conversation_type=EbayConversationType.FROM_MEMBERS,
            conversation_status=EbayConversationStatus.DELETE,
        ),
    ],
)
def test_validate_accepts_exactly_one_change(update: EbayConversationUpdate) -> None:
    EbayAdapter().validate(update)


def test_target_is_id_and_type() -> None:
    adapter = EbayAdapter()
    read = EbayConversationUpdate(
        conversation_id=CONVERSATION_ID,
        conversation_type=EbayConversationType.FROM_MEMBERS,
        read=True,
    )
    archive = EbayConversationUpdate(
        conversation_id=CONVERSATION_ID,
        conversation_type=EbayConversationType.FROM_MEMBERS,
        conversation_status=EbayConversationStatus.ARCHIVE,
    )
    other_type = EbayConversationUpdate(
        conversation_id=CONVERSATION_ID,
        conversation_type=EbayConversationType.FROM_EBAY,
        read=True,
    )
    assert adapter.target(read) == adapter.target(archive)
    assert adapter.target(read) != adapter.target(other_type)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            ebay_error(355007, "Invalid or unrecognized conversation_id value."),
            ErrorDetails(
                UpdateErrorCode.NOT_FOUND,
                "355007",
                "Invalid or unrecognized conversation_id value.",
                retryable=False,
            ),
        ),
        (
            500,
            ebay_error(335000, "Internal server error encountered.", "APPLICATION"),
            ErrorDetails(
                UpdateErrorCode.UPSTREAM_UNAVAILABLE,
                "335000",
                "Internal server error encountered.",
                retryable=True,
            ),
        ),
        (
            400,
            ebay_error(355001, "Invalid conversationStatus value."),
            ErrorDetails(provider_code="355001", message="Invalid conversationStatus value."),
        ),
        (
            400,
            ebay_error(355002, "Invalid conversationType value."),
            ErrorDetails(provider_code="355002", message="Invalid conversationType value."),
        ),
        (
            400,
            {"errors": [{"errorId": 1002, "domain": "OAuth", "message": "Missing access token"}]},
            ErrorDetails(provider_code="1002", message="Missing access token"),
        ),
        (
            401,
            {"errors": [{"errorId": "1001", "domain": "OAuth", "message": "Invalid access token"}]},
            ErrorDetails(provider_code="1001", message="Invalid access token"),
        ),
        (502, None, ErrorDetails()),
        (400, {"errors": []}, ErrorDetails()),
        (400, {"errors": [{"errorId": True, "message": 7}]}, ErrorDetails()),
        (400, ["not", "an", "error", "body"], ErrorDetails()),
    ],
)
def test_error_details_read_the_error_id(status: int, body: Any, expected: ErrorDetails) -> None:
    assert EbayAdapter().error_details(status, body) == expected


async def test_read_pages_through_the_listing_per_type() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        conversation_id = "1000000000001" if offset == 0 else "1000000000077"
        detail = {
            "conversationId": conversation_id,
            "conversationStatus": "ARCHIVE",
            "conversationType": request.url.params["conversation_type"],
            "unreadCount": 0 if offset == 0 else 2,
        }
        return httpx.Response(
            200, json={"conversations": [detail], "total": 60, "limit": 50, "offset": offset}
        )

    transport, seen = mock_upstream(upstream)
    client = connect_upstreams(live_settings(), transport=transport).client(Provider.EBAY)
    first = EbayConversationRef("1000000000001", EbayConversationType.FROM_MEMBERS)
    second = EbayConversationRef("1000000000077", EbayConversationType.FROM_MEMBERS)
    found = await client.read([first, second])
    assert found == {
        first: EbayConversation(
            id=first.id,
            conversation_type=EbayConversationType.FROM_MEMBERS,
            conversation_status=EbayConversationStatus.ARCHIVE,
            read=True,
        ),
        second: EbayConversation(
            id=second.id,
            conversation_type=EbayConversationType.FROM_MEMBERS,
            conversation_status=EbayConversationStatus.ARCHIVE,
            read=False,
        ),
    }
    assert [str(r.url) for r in seen] == [
        "https://api.ebay.com/commerce/message/v1/conversation?conversation_type=FROM_MEMBERS&limit=50&offset=0",
        "https://api.ebay.com/commerce/message/v1/conversation?conversation_type=FROM_MEMBERS&limit=50&offset=50",
    ]
    assert all(r.headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.EBAY]}" for r in seen)


async def test_read_stops_at_the_end_of_the_listing_and_reads_each_type() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        kind = request.url.params["conversation_type"]
        detail = {
            "conversationId": "1000000000002",
            "conversationStatus": "ACTIVE",
            "conversationType": kind,
            "unreadCount": 1,
        }
        conversations = [detail] if kind == "FROM_EBAY" else []
        return httpx.Response(200, json={"conversations": conversations, "total": 1})

    transport, seen = mock_upstream(upstream)
    client = connect_upstreams(live_settings(), transport=transport).client(Provider.EBAY)
    from_ebay = EbayConversationRef("1000000000002", EbayConversationType.FROM_EBAY)
    missing = EbayConversationRef("1000000000002", EbayConversationType.FROM_MEMBERS)
    found = await client.read([from_ebay, missing])
    assert list(found) == [from_ebay]
    assert found[from_ebay].read is False
    assert sorted(r.url.params["conversation_type"] for r in seen) == ["FROM_EBAY", "FROM_MEMBERS"]


async def test_an_unreadable_listing_is_an_upstream_error() -> None:
    transport, _ = mock_upstream(
        lambda request: httpx.Response(200, json={"conversations": [{"conversationId": "1"}]})
    )
    client = connect_upstreams(live_settings(), transport=transport).client(Provider.EBAY)
    with pytest.raises(ProviderError) as caught:
        await client.read([EbayConversationRef("1", EbayConversationType.FROM_MEMBERS)])
    assert caught.value.code is UpdateErrorCode.UPSTREAM_ERROR
