"""Ayrshare adapter: documented rules and the exact upstream request."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pytest

from inboxgraph.domain.ayrshare import (
    AyrshareConversation,
    AyrshareConversationRef,
    AyrshareConversationStatus,
    AyrshareConversationUpdate,
    AyrsharePlatform,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.ayrshare import AyrshareAdapter
from inboxgraph.providers.base import UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import InvalidInput, ProviderError
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    LIVE_TOKENS,
    app_client,
    live_settings,
    mock_upstream,
    update_many,
    update_one,
)

CONVERSATION_ID = "aWdfZMTpIyzQw"
PROFILE_KEY = "AX1XGG-9jK3M5T-GZ5X8N4-MJKE3K"
TOKEN = LIVE_TOKENS[Provider.AYRSHARE]
MISSING_PARAMETERS = {
    "action": "request",
    "status": "error",
    "code": 101,
    "message": "Missing or incorrect parameters. Please verify with the docs. "
    ".../ayrshare.com/rest-api/endpoints",
}
ARCHIVE_INPUT = {"ayrshare": {"platform": "INSTAGRAM", "conversationId": "x", "status": "ARCHIVED"}}

Handler = Callable[[httpx.Request], httpx.Response]


def _success(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"status": "success"})


def _update(**fields: Any) -> AyrshareConversationUpdate:
    values: dict[str, Any] = {
        "platform": AyrsharePlatform.INSTAGRAM,
        "conversation_id": CONVERSATION_ID,
        "status": AyrshareConversationStatus.ARCHIVED,
    }
    values.update(fields)
    return AyrshareConversationUpdate(**values)


async def _update_against(handler: Handler) -> tuple[dict[str, Any], list[httpx.Request]]:
    """The app's result for ARCHIVE_INPUT against `handler`, and what was sent."""
    transport, seen = mock_upstream(handler)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, ARCHIVE_INPUT)
    return result, seen


async def test_update_sends_documented_request() -> None:
    transport, seen = mock_upstream(_success)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ayrshare": {
                    "platform": "INSTAGRAM",
                    "conversationId": CONVERSATION_ID,
                    "status": "ARCHIVED",
                }
            },
        )
    [request] = seen
    assert request.method == "PUT"
    assert str(request.url) == f"https://api.ayrshare.com/api/messages/instagram/{CONVERSATION_ID}"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert "Profile-Key" not in request.headers
    assert json.loads(request.content) == {"status": "archived"}
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "AYRSHARE",
        "conversation": {
            "__typename": "AyrshareConversation",
            "platform": "INSTAGRAM",
            "id": CONVERSATION_ID,
            "ayrshareStatus": "ARCHIVED",
        },
    }


async def test_profile_key_is_sent_as_profile_key_header() -> None:
    transport, seen = mock_upstream(_success)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ayrshare": {
                    "platform": "FACEBOOK",
                    "conversationId": "t_10161117434308444",
                    "status": "ACTIVE",
                    "profileKey": PROFILE_KEY,
                }
            },
        )
    [request] = seen
    assert str(request.url) == "https://api.ayrshare.com/api/messages/facebook/t_10161117434308444"
    assert request.headers["Profile-Key"] == PROFILE_KEY
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {"status": "active"}
    assert result["conversation"]["ayrshareStatus"] == "ACTIVE"


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(_success)
    settings = live_settings(INBOXGRAPH_AYRSHARE_BASE_URL="https://ayrshare.internal/proxy/")
    async with app_client(settings, transport) as client:
        await update_one(
            client,
            {"ayrshare": {"platform": "TWITTER", "conversationId": "12-34", "status": "ACTIVE"}},
        )
    assert str(seen[0].url) == "https://ayrshare.internal/proxy/api/messages/twitter/12-34"


def test_conversation_id_is_one_url_encoded_path_segment() -> None:
    request = AyrshareAdapter().build_update(_update(conversation_id="a b%c:é+"))
    assert (request.method, request.path, request.json, dict(request.headers)) == (
        "PUT",
        "/api/messages/instagram/a%20b%25c%3A%C3%A9%2B",
        {"status": "archived"},
        {},
    )


def test_build_update_sends_the_profile_key_header_only_when_given() -> None:
    request = AyrshareAdapter().build_update(_update(profile_key=PROFILE_KEY))
    assert dict(request.headers) == {"Profile-Key": PROFILE_KEY}


@pytest.mark.parametrize(
    ("body", "provider_code", "message"),
    [
        (
            {"status": "error", "code": 101, "message": "Missing or incorrect parameters."},
            "101",
            "Missing or incorrect parameters.",
        ),
        (
            {"status": "error", "errors": [{"action": "request", "code": 110, "message": "Nope"}]},
            "110",
            "Nope",
        ),
        ({"status": "error"}, None, None),
    ],
)
async def test_a_200_error_body_is_a_failure_ayrshare_reports(
    body: Any, provider_code: str | None, message: str | None
) -> None:
    """Ayrshare: an error occurred when the code is not 200 *or* the JSON status is error."""
    result, seen = await _update_against(lambda request: httpx.Response(200, json=body))
    expected_message = "Ayrshare answered HTTP 200 with an error"
    if message is not None:
        expected_message = f"{expected_message}: {message}"
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "AYRSHARE",
        "code": "UPSTREAM_ERROR",
        "message": expected_message,
        "field": None,
        "providerStatus": 200,
        "providerCode": provider_code,
        "retryable": False,
        "mayHaveBeenApplied": False,
    }
    assert len(seen) == 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"status": "pending"}),
        httpx.Response(200, json={"status": "SUCCESS"}),
        httpx.Response(200, json={}),
        httpx.Response(200, json=[]),
        httpx.Response(200, json="success"),
        httpx.Response(200, text="<html>ok</html>"),
        httpx.Response(200),
        httpx.Response(204),
    ],
    ids=["pending", "upper-case", "empty-object", "list", "string", "html", "empty", "204"],
)
async def test_a_2xx_body_neither_success_nor_error_is_unconfirmed(answer: httpx.Response) -> None:
    result, seen = await _update_against(lambda request: answer)
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "AYRSHARE",
        "code": "UNCONFIRMED",
        "message": f"Ayrshare answered HTTP {answer.status_code} (success) with a body "
        "inboxgraph could not read; the update may have been applied: read the "
        "conversation before sending it again",
        "field": None,
        "providerStatus": answer.status_code,
        "providerCode": None,
        "retryable": False,
        "mayHaveBeenApplied": True,
    }
    assert len(seen) == 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(
            200, json={"status": "error", "code": 101, "message": f"API Key {TOKEN} not valid"}
        ),
        httpx.Response(
            200, json={"status": "error", "errors": [{"code": 101, "message": f"Bad {TOKEN}"}]}
        ),
        httpx.Response(200, json={"status": "queued", "apiKey": TOKEN}),
        httpx.Response(200, text=f"Authorization: Bearer {TOKEN}"),
    ],
    ids=["error", "errors-list", "unreadable-json", "unreadable-text"],
)
async def test_a_credential_echoed_in_a_200_body_never_leaks(
    answer: httpx.Response, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result, _ = await _update_against(lambda request: answer)
    assert result["__typename"] == "UpdateFailed"
    assert result["code"] in {"UPSTREAM_ERROR", "UNCONFIRMED"}
    assert caplog.records, "the upstream call should have been logged"
    for token in LIVE_TOKENS.values():
        assert token not in json.dumps(result)
        assert token not in caplog.text


async def test_an_echoed_credential_is_masked_but_the_message_kept() -> None:
    body = {"status": "error", "code": 101, "message": f"API Key {TOKEN} not valid"}
    result, _ = await _update_against(lambda request: httpx.Response(200, json=body))
    assert (
        result["message"]
        == "Ayrshare answered HTTP 200 with an error: API Key ********** not valid"
    )
    assert (result["providerStatus"], result["providerCode"]) == (200, "101")


async def test_documented_101_answer_keeps_status_code_and_message() -> None:
    result, _ = await _update_against(lambda request: httpx.Response(400, json=MISSING_PARAMETERS))
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "AYRSHARE",
        "code": "UPSTREAM_ERROR",
        "message": f"Ayrshare answered HTTP 400: {MISSING_PARAMETERS['message']}",
        "field": None,
        "providerStatus": 400,
        "providerCode": "101",
        "retryable": False,
        "mayHaveBeenApplied": False,
    }


@pytest.mark.parametrize(
    ("body", "provider_code", "message"),
    [
        (MISSING_PARAMETERS, "101", MISSING_PARAMETERS["message"]),
        ({"status": "error", "code": "101", "message": "m"}, "101", "m"),
        (
            {"status": "error", "errors": [{"code": 110, "message": "Duplicate"}]},
            "110",
            "Duplicate",
        ),
        (
            {"status": "error", "message": "Conversation not found."},
            None,
            "Conversation not found.",
        ),
        ({"status": "error", "code": True, "message": 5}, None, None),
        ({"status": "error"}, None, None),
        ("Bad Gateway", None, None),
        (None, None, None),
    ],
)
def test_error_details_read_code_and_message(
    body: Any, provider_code: str | None, message: str | None
) -> None:
    details = AyrshareAdapter().error_details(400, body)
    assert (details.code, details.provider_code, details.message) == (None, provider_code, message)


async def test_rate_limited_answer_is_not_retried() -> None:
    result, seen = await _update_against(
        lambda request: httpx.Response(
            429, json={"action": "request", "status": "error", "message": "Too many requests."}
        )
    )
    assert len(seen) == 1
    assert (result["code"], result["providerStatus"]) == ("RATE_LIMITED", 429)

    async def never_fetch(request: UpstreamRequest) -> UpstreamResponse:
        raise AssertionError("a 429 must not trigger a read")

    error = ProviderError(UpdateErrorCode.RATE_LIMITED, "429", provider_status=429)
    for attempt in range(3):
        assert (
            await AyrshareAdapter().after_failure(_update(), error, attempt, never_fetch) is error
        )


def _inputs(start: int, stop: int, profile_key: str | None = None) -> list[dict[str, Any]]:
    extra = {} if profile_key is None else {"profileKey": profile_key}
    return [
        {
            "ayrshare": {
                "platform": "TWITTER",
                "conversationId": f"c{n}",
                "status": "ACTIVE",
                **extra,
            }
        }
        for n in range(start, stop)
    ]


async def test_requests_are_paced_to_300_per_5_minutes_per_profile() -> None:
    """Each profile has its own 300: neither one shared budget nor an unpaced second profile."""
    transport, seen = mock_upstream(_success)

    async def send_300(profile_key: str | None) -> None:
        for start in range(0, 300, 100):
            results = await update_many(client, _inputs(start, start + 100, profile_key))
            assert {r["__typename"] for r in results} == {"ConversationUpdated"}

    async with app_client(live_settings(), transport) as client:
        await send_300(None)
        [primary_refused] = await update_many(client, _inputs(300, 301))
        # The primary profile's budget is spent; the other profile's is untouched.
        await send_300(PROFILE_KEY)
        [profile_refused] = await update_many(client, _inputs(300, 301, PROFILE_KEY))
        [primary_still_refused] = await update_many(client, _inputs(301, 302))
    for refused in (primary_refused, profile_refused, primary_still_refused):
        assert refused["code"] == "RATE_LIMITED"
        assert refused["providerStatus"] is None
        assert refused["retryable"] is True
        assert refused["mayHaveBeenApplied"] is False
        assert refused["message"].startswith("Ayrshare allows 300 requests per 300 s; ")
        assert "was not sent" in refused["message"]
    assert len(seen) == 600
    assert [r.headers.get("Profile-Key") for r in seen] == [None] * 300 + [PROFILE_KEY] * 300


def test_budget_scope_and_target() -> None:
    adapter = AyrshareAdapter()
    assert adapter.rate_limit is not None
    assert (adapter.rate_limit.requests, adapter.rate_limit.seconds) == (300, 300.0)
    assert adapter.budget_scope(_update()) == ""
    assert adapter.budget_scope(_update(profile_key=PROFILE_KEY)) == PROFILE_KEY
    assert adapter.target(_update()) == (AyrsharePlatform.INSTAGRAM, CONVERSATION_ID, None)
    assert adapter.target(_update()) == adapter.target(
        _update(status=AyrshareConversationStatus.ACTIVE)
    )
    assert adapter.target(_update()) != adapter.target(_update(profile_key=PROFILE_KEY))
    assert adapter.target(_update()) != adapter.target(_update(platform=AyrsharePlatform.FACEBOOK))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"conversation_id": ""}, "ayrshare.conversationId"),
        ({"conversation_id": " \t "}, "ayrshare.conversationId"),
        ({"conversation_id": "."}, "ayrshare.conversationId"),
        ({"conversation_id": ".."}, "ayrshare.conversationId"),
        ({"conversation_id": "a/b"}, "ayrshare.conversationId"),
        ({"conversation_id": "x" * 257}, "ayrshare.conversationId"),
        ({"profile_key": ""}, "ayrshare.profileKey"),
        ({"profile_key": "   "}, "ayrshare.profileKey"),
        ({"profile_key": f" {PROFILE_KEY}"}, "ayrshare.profileKey"),
        ({"profile_key": f"{PROFILE_KEY}\n"}, "ayrshare.profileKey"),
        ({"profile_key": "AX1\r\nX-Injected: 1"}, "ayrshare.profileKey"),
        ({"profile_key": "clé-de-profil"}, "ayrshare.profileKey"),
    ],
)
def test_validate_refuses_documented_violations(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        AyrshareAdapter().validate(_update(**fields))
    assert caught.value.field == field
    assert caught.value.code is UpdateErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"conversation_id": "t_10161117434308444"},
        {"conversation_id": "..."},
        {"conversation_id": "x" * 256},
        {"profile_key": PROFILE_KEY},
        {"profile_key": "K"},
    ],
)
def test_validate_accepts_valid_updates(fields: dict[str, Any]) -> None:
    AyrshareAdapter().validate(_update(**fields))


@pytest.mark.parametrize(
    "conversation_id",
    ["", " ", ".", "..", "a/b", "a\\b", "a?b", "a#b", "a\nb", "x" * 257],
    ids=[
        "empty",
        "blank",
        "dot",
        "dot-dot",
        "slash",
        "backslash",
        "query",
        "fragment",
        "newline",
        "257",
    ],
)
async def test_an_id_that_cannot_be_one_path_segment_is_never_sent(conversation_id: str) -> None:
    transport, seen = mock_upstream(_success)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ayrshare": {
                    "platform": "INSTAGRAM",
                    "conversationId": conversation_id,
                    "status": "ARCHIVED",
                }
            },
        )
    assert result["__typename"] == "UpdateFailed"
    assert result["code"] == "INVALID_INPUT"
    assert result["field"] == "ayrshare.conversationId"
    assert result["mayHaveBeenApplied"] is False
    assert seen == []


# --- Reads: the documented messages listing, filtered by `conversationId` here ---


def _message(conversation_id: str, platform: str) -> dict[str, Any]:
    """One message in the shape of Ayrshare's Get Messages example."""
    return {
        "senderId": "7101149746568444",
        "senderDetails": {"name": "John Smith"},
        "conversationId": conversation_id,
        "created": "2024-06-06T00:54:28.102Z",
        "action": "received",
        "recipientId": "106638148652329",
        "id": f"m_{conversation_id}",
        "message": "Look up!",
        "platform": platform,
    }


def _listing(
    conversations: Mapping[tuple[str, str], Sequence[str]],
) -> Handler:
    """Answers `GET /api/messages/{platform}?status=...` from {(platform, status): ids}."""

    def answer(request: httpx.Request) -> httpx.Response:
        platform = request.url.path.rsplit("/", 1)[-1]
        ids = conversations.get((platform, request.url.params["status"]), ())
        return httpx.Response(
            200,
            json={
                "status": "success",
                "messages": [_message(i, platform) for i in ids],
                "lastUpdated": "2024-06-09T21:46:04.233Z",
                "nextUpdate": "2024-06-09T21:47:04.233Z",
            },
        )

    return answer


async def _read(
    handler: Handler, refs: Sequence[AyrshareConversationRef]
) -> tuple[Mapping[AyrshareConversationRef, AyrshareConversation], list[httpx.Request]]:
    transport, seen = mock_upstream(handler)
    upstreams = connect_upstreams(live_settings(), transport=transport)
    try:
        found = await upstreams.client(Provider.AYRSHARE).read(refs)
    finally:
        await upstreams.aclose()
    return found, seen


def _urls(seen: Sequence[httpx.Request], platform: str) -> list[str]:
    return [str(r.url) for r in seen if r.url.path == f"/api/messages/{platform}"]


async def test_read_lists_messages_active_then_archived_per_platform() -> None:
    instagram_active = AyrshareConversationRef(AyrsharePlatform.INSTAGRAM, "ig-active")
    instagram_archived = AyrshareConversationRef(AyrsharePlatform.INSTAGRAM, "ig-archived")
    facebook_archived = AyrshareConversationRef(AyrsharePlatform.FACEBOOK, "t_1")
    found, seen = await _read(
        _listing(
            {
                ("instagram", "active"): ["ig-active", "ig-active", "someone-else"],
                ("instagram", "archived"): ["ig-archived"],
                ("facebook", "archived"): ["t_1"],
            }
        ),
        [instagram_active, instagram_archived, facebook_archived],
    )
    assert found == {
        instagram_active: AyrshareConversation(
            platform=AyrsharePlatform.INSTAGRAM,
            id="ig-active",
            status=AyrshareConversationStatus.ACTIVE,
        ),
        instagram_archived: AyrshareConversation(
            platform=AyrsharePlatform.INSTAGRAM,
            id="ig-archived",
            status=AyrshareConversationStatus.ARCHIVED,
        ),
        facebook_archived: AyrshareConversation(
            platform=AyrsharePlatform.FACEBOOK,
            id="t_1",
            status=AyrshareConversationStatus.ARCHIVED,
        ),
    }
    assert len(seen) == 4
    for platform in ("instagram", "facebook"):
        assert _urls(seen, platform) == [
            f"https://api.ayrshare.com/api/messages/{platform}?status=active",
            f"https://api.ayrshare.com/api/messages/{platform}?status=archived",
        ]
    for request in seen:
        assert request.method == "GET"
        assert request.content == b""
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "Profile-Key" not in request.headers


async def test_read_stops_once_every_ref_is_found() -> None:
    ref = AyrshareConversationRef(AyrsharePlatform.TWITTER, "1470-1500")
    found, seen = await _read(_listing({("twitter", "active"): ["1470-1500"]}), [ref, ref])
    assert found[ref].status is AyrshareConversationStatus.ACTIVE
    assert [str(r.url) for r in seen] == [
        "https://api.ayrshare.com/api/messages/twitter?status=active"
    ]


async def test_read_leaves_out_a_conversation_in_neither_listing() -> None:
    known = AyrshareConversationRef(AyrsharePlatform.FACEBOOK, "t_1")
    unknown = AyrshareConversationRef(AyrsharePlatform.FACEBOOK, "t_2")
    # The same id on another platform is another conversation.
    elsewhere = AyrshareConversationRef(AyrsharePlatform.INSTAGRAM, "t_1")
    found, seen = await _read(
        _listing({("facebook", "active"): ["t_1"]}), [known, unknown, elsewhere]
    )
    assert set(found) == {known}
    assert _urls(seen, "facebook") == [
        "https://api.ayrshare.com/api/messages/facebook?status=active",
        "https://api.ayrshare.com/api/messages/facebook?status=archived",
    ]
    assert _urls(seen, "instagram") == [
        "https://api.ayrshare.com/api/messages/instagram?status=active",
        "https://api.ayrshare.com/api/messages/instagram?status=archived",
    ]


@pytest.mark.parametrize(
    "body",
    [{"status": "success"}, {"status": "success", "messages": [{"id": "m1"}]}, []],
    ids=["no-messages", "message-without-conversation", "list"],
)
async def test_an_unreadable_listing_fails_the_read(body: Any) -> None:
    ref = AyrshareConversationRef(AyrsharePlatform.INSTAGRAM, CONVERSATION_ID)
    with pytest.raises(ProviderError) as caught:
        await _read(lambda request: httpx.Response(200, json=body), [ref])
    assert caught.value.code is UpdateErrorCode.UPSTREAM_ERROR
    assert caught.value.message == "Ayrshare answered a read with a body inboxgraph could not read"


async def test_a_refused_read_is_mapped_like_an_update() -> None:
    ref = AyrshareConversationRef(AyrsharePlatform.INSTAGRAM, CONVERSATION_ID)
    with pytest.raises(ProviderError) as caught:
        await _read(lambda request: httpx.Response(400, json=MISSING_PARAMETERS), [ref])
    assert (caught.value.code, caught.value.provider_status, caught.value.provider_code) == (
        UpdateErrorCode.UPSTREAM_ERROR,
        400,
        "101",
    )


# --- The budget Ayrshare reports: x-ratelimit-max and x-ratelimit-count ---


def _budget_answer(**headers: str) -> UpstreamResponse:
    return UpstreamResponse(200, headers, b'{"status": "success"}')


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "1"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "299"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "300"}, 300.0),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "301"}, 300.0),
        ({"x-ratelimit-max": "5", "x-ratelimit-count": "5"}, 300.0),
        ({"x-ratelimit-max": " 300 ", "x-ratelimit-count": "300"}, 300.0),
        ({}, None),
        ({"x-ratelimit-count": "300"}, None),
        ({"x-ratelimit-max": "300"}, None),
        ({"x-ratelimit-max": "0", "x-ratelimit-count": "0"}, None),
        ({"x-ratelimit-max": "many", "x-ratelimit-count": "300"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": ""}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "300.0"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "-300"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "3_00"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "\u0663\u0660\u0660"}, None),
        ({"x-ratelimit-max": "300", "x-ratelimit-count": "9" * 5000}, None),
    ],
)
def test_a_spent_budget_holds_the_profile_back_for_the_whole_window(
    headers: dict[str, str], wait: float | None
) -> None:
    """Ayrshare does not say when its window started: 300 s is the wait sure to outlast it."""
    assert AyrshareAdapter().spent_budget_wait(_budget_answer(**headers)) == wait


def _spent_after(answers_left: int) -> Handler:
    """Ayrshare's answers to a profile that has `answers_left` requests in its window."""
    made = 300 - answers_left

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal made
        made += 1
        return httpx.Response(
            200,
            json={"status": "success"},
            headers={"x-ratelimit-max": "300", "x-ratelimit-count": str(made)},
        )

    return answer


async def test_once_ayrshare_reports_the_budget_spent_that_profile_sends_nothing() -> None:
    """Other clients of the profile spent 298 of its 300: two go out, then nothing."""
    transport, seen = mock_upstream(_spent_after(answers_left=2))
    async with app_client(live_settings(), transport) as client:
        sent = await update_many(client, _inputs(0, 2))
        [refused] = await update_many(client, _inputs(2, 3))
        [other_profile] = await update_many(client, _inputs(3, 4, PROFILE_KEY))
    assert [r["__typename"] for r in sent] == ["ConversationUpdated"] * 2
    assert (refused["code"], refused["providerStatus"], refused["retryable"]) == (
        "RATE_LIMITED",
        None,
        True,
    )
    assert refused["mayHaveBeenApplied"] is False
    assert refused["message"] == (
        "Ayrshare reports its rate-limit budget spent; this request was not sent. Retry in 300 s."
    )
    # The block is the spent profile's: another profile's update still goes out.
    assert other_profile["__typename"] == "ConversationUpdated"
    assert [r.headers.get("Profile-Key") for r in seen] == [None, None, PROFILE_KEY]
