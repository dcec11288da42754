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
from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import UpstreamResponse
from inboxgraph.providers.ebay import EbayAdapter
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    LIVE_TOKENS,
    app_client,
    live_settings,
    mock_upstream,
    update_many,
    update_one,
)

CONVERSATION_ID = "1000000000001"
BULK_URL = "https://api.ebay.com/commerce/message/v1/bulk_update_conversation"
#: Retries at once (no backoff), so tests of transient failures take no time.
QUICK_RETRIES = {"INBOXGRAPH_RETRY_BASE_SECONDS": "0"}


def ebay_error(error_id: int, message: str, category: str = "REQUEST") -> dict[str, Any]:
    return {
        "errors": [
            {"errorId": error_id, "domain": "API_MESSAGE", "category": category, "message": message}
        ]
    }


def entries(request: httpx.Request) -> list[dict[str, Any]]:
    """The conversations of one bulk request."""
    conversations: list[dict[str, Any]] = json.loads(request.content)["conversations"]
    return conversations


def bulk_answer(
    request: httpx.Request, statuses: dict[str, str | None] | None = None
) -> httpx.Response:
    """eBay's bulk answer: an updateStatus per entry (SUCCESSFUL unless `statuses` says
    otherwise; None leaves the entry unanswered), in reverse order."""
    statuses = statuses or {}
    answers = [
        {
            "conversationId": e["conversationId"],
            "updateStatus": statuses.get(e["conversationId"], "SUCCESSFUL"),
        }
        for e in entries(request)
        if statuses.get(e["conversationId"], "SUCCESSFUL") is not None
    ]
    return httpx.Response(
        200,
        json={
            "conversationsMetadata": {"totalConversationsCount": len(answers)},
            "conversationsResponse": answers[::-1],
        },
    )


def listing(request: httpx.Request) -> httpx.Response:
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


def updated_then_listed(request: httpx.Request) -> httpx.Response:
    """eBay after an update: its bulk answer, then the listing the update is completed from."""
    return bulk_answer(request) if request.method == "POST" else listing(request)


def ebay_input(
    conversation_id: str = CONVERSATION_ID,
    conversation_type: str = "FROM_MEMBERS",
    **change: Any,
) -> dict[str, Any]:
    return {
        "ebay": {"conversationId": conversation_id, "conversationType": conversation_type, **change}
    }


async def test_mark_read_goes_through_the_bulk_endpoint() -> None:
    transport, seen = mock_upstream(updated_then_listed)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, ebay_input(read=True))
    request, read = seen
    assert (request.method, str(request.url)) == ("POST", BULK_URL)
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[EbayAdapter.provider]}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "conversations": [
            {
                "conversationId": CONVERSATION_ID,
                "conversationType": "FROM_MEMBERS",
                "conversationStatus": "READ",
            }
        ]
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


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"conversationStatus": "ARCHIVE"}, "ARCHIVE"),
        ({"conversationStatus": "ACTIVE"}, "ACTIVE"),
        ({"conversationStatus": "DELETE"}, "DELETE"),
        ({"read": True}, "READ"),
        ({"read": False}, "UNREAD"),
    ],
)
async def test_each_change_is_its_bulk_conversation_status(
    change: dict[str, Any], status: str
) -> None:
    transport, seen = mock_upstream(updated_then_listed)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, ebay_input("1000000000002", "FROM_EBAY", **change))
    assert entries(seen[0]) == [
        {
            "conversationId": "1000000000002",
            "conversationType": "FROM_EBAY",
            "conversationStatus": status,
        }
    ]
    assert result["__typename"] == "ConversationUpdated"


async def test_updates_travel_ten_to_a_call_and_answers_are_matched_by_id() -> None:
    ids = [str(1000000000100 + n) for n in range(23)]
    # eBay's two spellings of success, a failure, and one conversation left unanswered.
    statuses: dict[str, str | None] = {ids[0]: "SUCCESS", ids[11]: "FAILURE", ids[22]: None}
    transport, seen = mock_upstream(
        lambda r: bulk_answer(r, statuses) if r.method == "POST" else listing(r)
    )
    async with app_client(live_settings(), transport) as client:
        results = await update_many(
            client, [ebay_input(i, conversationStatus="ARCHIVE") for i in ids]
        )
    posts = [r for r in seen if r.method == "POST"]
    assert [len(entries(r)) for r in posts] == [10, 10, 3]
    assert [e["conversationId"] for r in posts for e in entries(r)] == ids
    codes = [r.get("code") for r in results]
    assert codes == [None] * 11 + ["UPSTREAM_ERROR"] + [None] * 10 + ["UNCONFIRMED"]
    assert [
        r["conversation"]["id"] for r in results if r["__typename"] == "ConversationUpdated"
    ] == [i for i in ids if i not in (ids[11], ids[22])]
    failed, unanswered = results[11], results[22]
    assert (failed["providerStatus"], failed["retryable"], failed["mayHaveBeenApplied"]) == (
        200,
        False,
        False,
    )
    assert "updateStatus FAILURE" in failed["message"]
    assert (unanswered["retryable"], unanswered["mayHaveBeenApplied"]) == (False, True)
    assert "no updateStatus" in unanswered["message"]


async def test_one_conversation_id_is_never_twice_in_a_call_and_order_holds() -> None:
    transport, seen = mock_upstream(updated_then_listed)
    async with app_client(live_settings(), transport) as client:
        results = await update_many(
            client,
            [
                ebay_input(conversationStatus="ARCHIVE"),
                # The same id in the other type: another conversation, but answers would
                # name both alike.
                ebay_input(conversation_type="FROM_EBAY", read=True),
                ebay_input("1000000000002", read=True),
                # A second update to the first conversation: after the first one's answer.
                ebay_input(read=True),
            ],
        )
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * 4
    calls = [
        [(e["conversationId"], e["conversationType"], e["conversationStatus"]) for e in entries(r)]
        for r in seen
        if r.method == "POST"
    ]
    for call in calls:
        assert len({conversation_id for conversation_id, _, _ in call}) == len(call)
    flat = [entry for call in calls for entry in call]
    assert sorted(flat) == sorted(
        [
            (CONVERSATION_ID, "FROM_MEMBERS", "ARCHIVE"),
            (CONVERSATION_ID, "FROM_EBAY", "READ"),
            ("1000000000002", "FROM_MEMBERS", "READ"),
            (CONVERSATION_ID, "FROM_MEMBERS", "READ"),
        ]
    )
    archive = next(
        n for n, c in enumerate(calls) if (CONVERSATION_ID, "FROM_MEMBERS", "ARCHIVE") in c
    )
    read = next(n for n, c in enumerate(calls) if (CONVERSATION_ID, "FROM_MEMBERS", "READ") in c)
    assert archive < read


@pytest.mark.parametrize(
    ("answer", "code", "may_have_been_applied", "posts"),
    [
        (httpx.Response(400, json=ebay_error(2004, "Invalid request")), "UPSTREAM_ERROR", False, 1),
        # A bulk call applies its entries one by one: a server error may follow some.
        (
            httpx.Response(500, json=ebay_error(335000, "Internal error", "APPLICATION")),
            "UPSTREAM_UNAVAILABLE",
            True,
            3,
        ),
        (httpx.Response(502), "UPSTREAM_UNAVAILABLE", True, 3),
        (httpx.ReadTimeout("slow"), "TIMEOUT", True, 3),
        (httpx.ConnectError("refused"), "UPSTREAM_UNAVAILABLE", False, 3),
        (httpx.Response(200, content=b"<html>"), "UNCONFIRMED", True, 1),
        (httpx.Response(200, json={"conversationsResponse": "no"}), "UNCONFIRMED", True, 1),
    ],
    ids=["400", "500", "502", "timeout", "connect", "not-json", "not-a-list"],
)
async def test_a_failed_call_fails_each_of_its_updates(
    answer: httpx.Response | Exception, code: str, may_have_been_applied: bool, posts: int
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport, seen = mock_upstream(upstream)
    async with app_client(live_settings(**QUICK_RETRIES), transport) as client:
        results = await update_many(
            client, [ebay_input(str(1000000000100 + n), read=True) for n in range(3)]
        )
    assert [r.method for r in seen] == ["POST"] * posts
    assert [(r["code"], r["mayHaveBeenApplied"]) for r in results] == [
        (code, may_have_been_applied)
    ] * 3
    whole_call = "(for all 3 updates of the call)"
    assert all((whole_call in r["message"]) is (code != "UNCONFIRMED") for r in results)


async def test_a_failed_read_after_the_update_leaves_the_update_standing() -> None:
    transport, seen = mock_upstream(
        lambda r: bulk_answer(r) if r.method == "POST" else httpx.Response(503)
    )
    async with app_client(live_settings(**QUICK_RETRIES), transport) as client:
        result = await update_one(client, ebay_input(read=True))
    # The read is safe to repeat: it is retried like a safe update, then given up.
    assert [r.method for r in seen] == ["POST", "GET", "GET", "GET"]
    assert result["__typename"] == "ConversationUpdated"
    assert result["conversation"]["read"] is True
    assert result["conversation"]["conversationStatus"] is None  # unknown, not invented


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(updated_then_listed)
    settings = live_settings(
        INBOXGRAPH_EBAY_BASE_URL="https://api.sandbox.ebay.com/commerce/message/v1/"
    )
    async with app_client(settings, transport) as client:
        await update_one(client, ebay_input(read=False))
    assert (
        str(seen[0].url)
        == "https://api.sandbox.ebay.com/commerce/message/v1/bulk_update_conversation"
    )
    assert entries(seen[0])[0]["conversationStatus"] == "UNREAD"


async def test_the_single_update_form_maps_355007_to_not_found() -> None:
    """`POST /update_conversation` stays the adapter's single-update form."""
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            400, json=ebay_error(355007, "Invalid or unrecognized conversation_id value.")
        )
    )
    upstreams = connect_upstreams(live_settings(), transport=transport)
    update = EbayConversationUpdate(
        conversation_id="999",
        conversation_type=EbayConversationType.FROM_MEMBERS,
        conversation_status=EbayConversationStatus.DELETE,
    )
    with pytest.raises(ProviderError) as caught:
        await upstreams.client(Provider.EBAY).update(update)
    await upstreams.aclose()
    assert str(seen[0].url) == "https://api.ebay.com/commerce/message/v1/update_conversation"
    assert json.loads(seen[0].content) == {
        "conversationId": "999",
        "conversationType": "FROM_MEMBERS",
        "conversationStatus": "DELETE",
    }
    assert caught.value.failed(Provider.EBAY) == UpdateFailed(
        provider=Provider.EBAY,
        code=UpdateErrorCode.NOT_FOUND,
        message="eBay answered HTTP 400: Invalid or unrecognized conversation_id value.",
        provider_status=400,
        provider_code="355007",
    )


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
    transport, seen = mock_upstream(updated_then_listed)
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


def test_parse_batch_reads_each_answer_by_id_and_trusts_nothing_else() -> None:
    updates = [
        EbayConversationUpdate(str(n), EbayConversationType.FROM_MEMBERS, read=True)
        for n in range(6)
    ]
    answers = [
        {"conversationId": "0", "updateStatus": "successful"},  # case does not matter
        {"conversationId": "1", "updateStatus": "FAILURE"},
        {"conversationId": "2", "updateStatus": "SUCCESS"},
        {"conversationId": "2", "updateStatus": "FAILURE"},  # contradicts itself: unknown
        {"conversationId": "3", "updateStatus": "PENDING"},  # not a documented value
        {"conversationId": 4, "updateStatus": "SUCCESS"},  # not a string id: ignored
        "not an answer",
    ]
    response = UpstreamResponse(200, {}, json.dumps({"conversationsResponse": answers}).encode())
    results = EbayAdapter().parse_batch(updates, response)
    assert isinstance(results[0], EbayConversation) and results[0].read is True
    kinds = [r.code if isinstance(r, ProviderError) else "updated" for r in results]
    assert kinds == [
        "updated",
        UpdateErrorCode.UPSTREAM_ERROR,
        UpdateErrorCode.UNCONFIRMED,
        UpdateErrorCode.UNCONFIRMED,
        UpdateErrorCode.UNCONFIRMED,
        UpdateErrorCode.UNCONFIRMED,
    ]
    assert "'PENDING', unknown" in results[3].message  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body", [b"", b"[]", b'{"conversationsResponse": {}}', b'{"conversationsMetadata": {}}']
)
def test_parse_batch_refuses_an_answer_it_cannot_read(body: bytes) -> None:
    updates = [EbayConversationUpdate("0", EbayConversationType.FROM_MEMBERS, read=True)]
    with pytest.raises((KeyError, TypeError, ValueError)):
        EbayAdapter().parse_batch(updates, UpstreamResponse(200, {}, body))
