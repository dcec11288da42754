"""Ayrshare adapter: documented rules and the exact upstream request."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from inboxgraph.providers.ayrshare import AyrshareAdapter
from inboxgraph.providers.errors import InvalidInput, ProviderError
from inboxgraph.schema.enums import (
    AyrshareConversationStatus,
    AyrsharePlatform,
    Provider,
    UpdateErrorCode,
)
from inboxgraph.schema.inputs import AyrshareConversationUpdate
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
TOKEN = LIVE_TOKENS[AyrshareAdapter.provider]
MISSING_PARAMETERS = {
    "action": "request",
    "status": "error",
    "code": 101,
    "message": "Missing or incorrect parameters. Please verify with the docs. "
    ".../ayrshare.com/rest-api/endpoints",
}


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
    request = AyrshareAdapter().build_update(_update(conversation_id="a/b c?#%"))
    assert (request.method, request.path, request.json, dict(request.headers)) == (
        "PUT",
        "/api/messages/instagram/a%2Fb%20c%3F%23%25",
        {"status": "archived"},
        {},
    )


@pytest.mark.parametrize(
    "body",
    [
        {"status": "error", "code": 101, "message": "Missing or incorrect parameters."},
        {"status": "error", "errors": [{"action": "request", "code": 101, "message": "Nope"}]},
        {"status": "pending"},
        {},
        [],
    ],
)
async def test_ok_answer_without_success_is_upstream_error(body: Any) -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, json=body))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {"ayrshare": {"platform": "INSTAGRAM", "conversationId": "x", "status": "ACTIVE"}},
        )
    assert result["__typename"] == "UpdateFailed"
    assert result["code"] == "UPSTREAM_ERROR"
    assert result["providerStatus"] == 200
    assert result["retryable"] is False
    has_code = isinstance(body, dict) and body.get("status") == "error"
    assert result["providerCode"] == ("101" if has_code else None)


async def test_ok_answer_that_is_not_json_is_upstream_error() -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, text="<html>ok</html>"))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {"ayrshare": {"platform": "INSTAGRAM", "conversationId": "x", "status": "ACTIVE"}},
        )
    assert (result["code"], result["providerStatus"]) == ("UPSTREAM_ERROR", 200)


async def test_documented_101_answer_keeps_status_code_and_message() -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(400, json=MISSING_PARAMETERS))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {"ayrshare": {"platform": "INSTAGRAM", "conversationId": "x", "status": "ACTIVE"}},
        )
    assert result == {
        "__typename": "UpdateFailed",
        "provider": "AYRSHARE",
        "code": "UPSTREAM_ERROR",
        "message": f"Ayrshare answered HTTP 400: {MISSING_PARAMETERS['message']}",
        "field": None,
        "providerStatus": 400,
        "providerCode": "101",
        "retryable": False,
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
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            429, json={"action": "request", "status": "error", "message": "Too many requests."}
        )
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {"ayrshare": {"platform": "INSTAGRAM", "conversationId": "x", "status": "ACTIVE"}},
        )
    assert len(seen) == 1
    assert (result["code"], result["providerStatus"]) == ("RATE_LIMITED", 429)
    error = ProviderError(UpdateErrorCode.RATE_LIMITED, "429", provider_status=429)
    assert all(AyrshareAdapter().retry_delay(error, attempt) is None for attempt in range(3))


async def test_requests_are_paced_to_300_per_5_minutes_per_profile() -> None:
    transport, seen = mock_upstream(_success)

    def inputs(start: int, stop: int) -> list[dict[str, Any]]:
        return [
            {"ayrshare": {"platform": "TWITTER", "conversationId": f"c{n}", "status": "ACTIVE"}}
            for n in range(start, stop)
        ]

    async with app_client(live_settings(), transport) as client:
        for start in range(0, 300, 100):
            results = await update_many(client, inputs(start, start + 100))
            assert {r["__typename"] for r in results} == {"ConversationUpdated"}
        [refused] = await update_many(client, inputs(300, 301))
        [other_profile] = await update_many(
            client,
            [
                {
                    "ayrshare": {
                        "platform": "TWITTER",
                        "conversationId": "c300",
                        "status": "ACTIVE",
                        "profileKey": PROFILE_KEY,
                    }
                }
            ],
        )
    assert refused["code"] == "RATE_LIMITED"
    assert refused["providerStatus"] is None
    assert refused["retryable"] is True
    assert "Ayrshare allows 300 requests per 300 s; this one was not sent" in refused["message"]
    assert other_profile["__typename"] == "ConversationUpdated"
    assert len(seen) == 301
    assert seen[-1].headers["Profile-Key"] == PROFILE_KEY


def test_pacing_and_target_keys() -> None:
    adapter = AyrshareAdapter()
    assert adapter.rate_limit is not None
    assert (adapter.rate_limit.requests, adapter.rate_limit.seconds) == (300, 300.0)
    assert adapter.pacing_key(_update()) == ""
    assert adapter.pacing_key(_update(profile_key=PROFILE_KEY)) == PROFILE_KEY
    assert adapter.target_key(_update()) == (AyrsharePlatform.INSTAGRAM, CONVERSATION_ID, None)
    assert adapter.target_key(_update()) == adapter.target_key(
        _update(status=AyrshareConversationStatus.ACTIVE)
    )
    assert adapter.target_key(_update()) != adapter.target_key(_update(profile_key=PROFILE_KEY))
    assert adapter.target_key(_update()) != adapter.target_key(
        _update(platform=AyrsharePlatform.FACEBOOK)
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"conversation_id": ""}, "ayrshare.conversationId"),
        ({"conversation_id": " \t "}, "ayrshare.conversationId"),
        ({"conversation_id": "."}, "ayrshare.conversationId"),
        ({"conversation_id": ".."}, "ayrshare.conversationId"),
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
        {"conversation_id": "a/b"},
        {"profile_key": PROFILE_KEY},
        {"profile_key": "K"},
    ],
)
def test_validate_accepts_valid_updates(fields: dict[str, Any]) -> None:
    AyrshareAdapter().validate(_update(**fields))


async def test_invalid_input_is_never_sent() -> None:
    transport, seen = mock_upstream(_success)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "ayrshare": {
                    "platform": "INSTAGRAM",
                    "conversationId": "..",
                    "status": "ARCHIVED",
                }
            },
        )
    assert result["code"] == "INVALID_INPUT"
    assert result["field"] == "ayrshare.conversationId"
    assert seen == []


async def test_read_lists_active_then_archived_conversations_per_platform() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        status = request.url.params["status"]
        details = [{"id": f"{status}-1", "status": status}]
        return httpx.Response(
            200,
            json={
                "status": "success",
                "conversationIds": [d["id"] for d in details],
                "conversationsDetails": details,
            },
        )

    transport, seen = mock_upstream(upstream)
    gateway = connect_upstreams(live_settings(), transport=transport).gateway(Provider.AYRSHARE)
    found = await gateway.read(
        [(AyrsharePlatform.INSTAGRAM, "active-1"), (AyrsharePlatform.INSTAGRAM, "archived-1")]
    )
    assert {key: c.status for key, c in found.items()} == {
        (AyrsharePlatform.INSTAGRAM, "active-1"): AyrshareConversationStatus.ACTIVE,
        (AyrsharePlatform.INSTAGRAM, "archived-1"): AyrshareConversationStatus.ARCHIVED,
    }
    assert [str(r.url) for r in seen] == [
        "https://api.ayrshare.com/api/messages/instagram?status=active&conversationsOnly=true",
        "https://api.ayrshare.com/api/messages/instagram?status=archived&conversationsOnly=true",
    ]
    assert seen[0].headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.AYRSHARE]}"
    assert "Profile-Key" not in seen[0].headers
