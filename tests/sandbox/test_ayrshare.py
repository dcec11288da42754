"""Ayrshare emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from inboxgraph.sandbox.ayrshare import SANDBOX_PROFILE_KEY as AYRSHARE_SANDBOX_PROFILE_KEY
from inboxgraph.sandbox.ayrshare import SANDBOX_TOKEN, AyrshareState, create_app

INSTAGRAM = "aWdfZMTpIyzQw"
FACEBOOK = "fbConv0001"
PROFILE_TWITTER = "1470000000000000001-1500000000000000002"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
AS_PROFILE = {"Profile-Key": AYRSHARE_SANDBOX_PROFILE_KEY}
ARCHIVE = {"status": "archived"}
MISSING_OR_INCORRECT_PARAMETERS = {
    "action": "request",
    "status": "error",
    "code": 101,
    "message": "Missing or incorrect parameters. Please verify with the docs. "
    ".../ayrshare.com/rest-api/endpoints",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _client(state: AyrshareState | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(state))
    return httpx.AsyncClient(transport=transport, base_url="http://ayrshare", headers=AUTH)


@pytest.fixture
async def ayrshare() -> AsyncIterator[httpx.AsyncClient]:
    async with _client() as client:
        yield client


async def _conversation_ids(
    client: httpx.AsyncClient, platform: str, headers: dict[str, str] | None = None, **params: str
) -> set[str]:
    """The conversations a profile's documented messages listing shows (`status` default)."""
    response = await client.get(f"/api/messages/{platform}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {m["conversationId"] for m in response.json()["messages"]}


async def test_put_archives_and_reactivates(ayrshare: httpx.AsyncClient) -> None:
    response = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
    assert (response.status_code, response.json()) == (200, {"status": "success"})
    assert await _conversation_ids(ayrshare, "instagram") == set()
    assert await _conversation_ids(ayrshare, "instagram", status="archived") == {INSTAGRAM}
    response = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json={"status": "active"})
    assert response.status_code == 200
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}
    assert await _conversation_ids(ayrshare, "instagram", status="archived") == set()


async def test_put_to_the_current_status_succeeds(ayrshare: httpx.AsyncClient) -> None:
    response = await ayrshare.put(f"/api/messages/facebook/{FACEBOOK}", json={"status": "active"})
    assert (response.status_code, response.json()) == (200, {"status": "success"})


@pytest.mark.parametrize("authorization", ["Bearer wrong", "", "Basic c2FuZGJveA==", "Bearer "])
async def test_requires_bearer_api_key(ayrshare: httpx.AsyncClient, authorization: str) -> None:
    for response in (
        await ayrshare.put(
            f"/api/messages/instagram/{INSTAGRAM}",
            json=ARCHIVE,
            headers={"Authorization": authorization},
        ),
        await ayrshare.get("/api/messages/instagram", headers={"Authorization": authorization}),
    ):
        assert response.status_code == 401
        assert response.json() == {
            "action": "request",
            "status": "error",
            "message": "API Key not valid. Please verify your API Key.",
        }
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}


@pytest.mark.parametrize("platform", ["linkedin", "Instagram", "INSTAGRAM", "tiktok"])
async def test_unknown_platform_is_101(ayrshare: httpx.AsyncClient, platform: str) -> None:
    response = await ayrshare.put(f"/api/messages/{platform}/{INSTAGRAM}", json=ARCHIVE)
    assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "deleted"}, {"status": "ARCHIVED"}, {"status": None}, {"state": "archived"}],
)
async def test_missing_or_unknown_status_is_101(ayrshare: httpx.AsyncClient, body: object) -> None:
    response = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=body)
    assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "application/json"),
        (b"not json", "application/json"),
        (b'["archived"]', "application/json"),
        (b'{"status": "archived"}', "text/plain"),
        (b"status=archived", "application/x-www-form-urlencoded"),
    ],
)
async def test_body_must_be_a_json_object(
    ayrshare: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await ayrshare.put(
        f"/api/messages/instagram/{INSTAGRAM}",
        content=content,
        headers={"Content-Type": content_type},
    )
    assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)


async def test_json_content_type_with_charset_is_accepted(ayrshare: httpx.AsyncClient) -> None:
    response = await ayrshare.put(
        f"/api/messages/instagram/{INSTAGRAM}",
        content=b'{"status": "archived"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/messages/instagram/unknownConversation",
        # A conversation on another platform is not found on this one.
        f"/api/messages/facebook/{INSTAGRAM}",
        # The id is the whole (encoded) path segment, never a prefix of it.
        f"/api/messages/instagram/{INSTAGRAM}%2Fextra",
    ],
)
async def test_a_conversation_the_update_cannot_act_on_is_101(
    ayrshare: httpx.AsyncClient, path: str
) -> None:
    """The update doc documents only 101 for a refused parameter: no invented 404."""
    response = await ayrshare.put(path, json=ARCHIVE)
    assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}
    assert await _conversation_ids(ayrshare, "facebook") == {FACEBOOK}


async def test_profile_key_acts_for_that_user_profile(ayrshare: httpx.AsyncClient) -> None:
    primary_as_profile = await ayrshare.put(
        f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE, headers=AS_PROFILE
    )
    profile_as_primary = await ayrshare.put(
        f"/api/messages/twitter/{PROFILE_TWITTER}", json=ARCHIVE
    )
    profile_as_profile = await ayrshare.put(
        f"/api/messages/twitter/{PROFILE_TWITTER}", json=ARCHIVE, headers=AS_PROFILE
    )
    # Another profile's conversation is refused as the documented 101, not an invented 404.
    for refused in (primary_as_profile, profile_as_primary):
        assert (refused.status_code, refused.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)
    assert profile_as_profile.status_code == 200
    assert await _conversation_ids(ayrshare, "twitter") == set()
    assert await _conversation_ids(ayrshare, "twitter", AS_PROFILE) == set()
    assert await _conversation_ids(ayrshare, "twitter", AS_PROFILE, status="archived") == {
        PROFILE_TWITTER
    }
    assert await _conversation_ids(ayrshare, "instagram", AS_PROFILE) == set()
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}


async def test_blank_profile_key_acts_for_the_primary_profile(ayrshare: httpx.AsyncClient) -> None:
    response = await ayrshare.put(
        f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE, headers={"Profile-Key": "  "}
    )
    assert response.status_code == 200
    assert await _conversation_ids(ayrshare, "instagram", status="archived") == {INSTAGRAM}


async def test_unknown_profile_key_is_101(ayrshare: httpx.AsyncClient) -> None:
    """The documented 101 on every route, not an invented 403; nothing is counted or changed."""
    headers = {"Profile-Key": "UNKNOWN-PROFILE-KEY"}
    for response in (
        await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE, headers=headers),
        await ayrshare.get("/api/messages/instagram", headers=headers),
    ):
        assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)
        assert "x-ratelimit-count" not in response.headers
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}


async def test_every_answer_carries_rate_limit_headers(ayrshare: httpx.AsyncClient) -> None:
    first = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
    second = await ayrshare.get("/api/messages/instagram")
    refused = await ayrshare.put("/api/messages/linkedin/x", json=ARCHIVE)
    other_profile = await ayrshare.get("/api/messages/twitter", headers=AS_PROFILE)
    assert [
        (r.headers["x-ratelimit-max"], r.headers["x-ratelimit-count"])
        for r in (first, second, refused, other_profile)
    ] == [("300", "1"), ("300", "2"), ("300", "3"), ("300", "1")]


async def test_300_requests_per_5_minutes_per_profile() -> None:
    clock = FakeClock()
    async with _client(AyrshareState(clock=clock)) as ayrshare:
        for _ in range(300):
            response = await ayrshare.get("/api/messages/instagram")
            assert response.status_code == 200
        refused = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
        assert refused.status_code == 429
        assert refused.json() == {
            "action": "request",
            "status": "error",
            "message": "Too many requests: 300 requests are allowed per 300 seconds for each "
            "User Profile.",
        }
        assert refused.headers["x-ratelimit-count"] == "300"
        other_profile = await ayrshare.get("/api/messages/twitter", headers=AS_PROFILE)
        assert other_profile.status_code == 200
        assert other_profile.headers["x-ratelimit-count"] == "1"
        clock.now += 299.9
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        clock.now += 0.1
        fresh = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
        assert fresh.status_code == 200
        assert fresh.headers["x-ratelimit-count"] == "1"


async def test_1000_rate_limited_requests_in_24_hours_suspend_the_profile() -> None:
    clock = FakeClock()
    async with _client(AyrshareState(clock=clock, rate_limit_max=1)) as ayrshare:
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 200
        for _ in range(999):
            assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        clock.now += 300.0
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 200
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        clock.now += 3600.0
        suspended = await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
        assert suspended.status_code == 403
        assert suspended.json() == {
            "action": "request",
            "status": "error",
            "message": "This User Profile is suspended after too many rate limit errors.",
        }
        assert (await ayrshare.get("/api/messages/twitter", headers=AS_PROFILE)).status_code == 200


async def test_rate_limited_requests_older_than_24_hours_do_not_count() -> None:
    clock = FakeClock()
    state = AyrshareState(clock=clock, rate_limit_max=1, suspend_after_rate_limited=2)
    async with _client(state) as ayrshare:
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 200
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        clock.now += 24 * 3600.0
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 200
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 429
        assert (await ayrshare.get("/api/messages/instagram")).status_code == 403


async def test_messages_listing_has_the_documented_shape(ayrshare: httpx.AsyncClient) -> None:
    body = (await ayrshare.get("/api/messages/facebook")).json()
    assert set(body) == {"status", "messages", "lastUpdated", "nextUpdate"}
    assert body["status"] == "success"
    assert body["messages"] == [
        {
            "id": "fbConv0001-m1",
            "conversationId": FACEBOOK,
            "platform": "facebook",
            "action": "received",
            "senderId": "7101149746568444",
            "senderDetails": {"name": "John Smith"},
            "recipientId": "106638148652444",
            "message": "How is the weather?",
            "created": "2026-04-21T08:00:00.000Z",
        }
    ]


async def test_conversations_only_answers_the_inferred_listing(
    ayrshare: httpx.AsyncClient,
) -> None:
    """The parameter is documented, its answer is not: this pins the emulator's own shape."""
    response = await ayrshare.get(
        "/api/messages/instagram",
        params={"conversationsOnly": "true", "conversationId": "ignored"},
    )
    body = response.json()
    assert body["status"] == "success"
    assert body["conversationIds"] == [INSTAGRAM]
    assert body["conversationsDetails"] == [
        {
            "id": INSTAGRAM,
            "status": "active",
            "participant": {"id": "17841400000000001", "name": "Jane Doe"},
        }
    ]
    assert "messages" not in body


async def test_messages_default_to_active_conversations_newest_first(
    ayrshare: httpx.AsyncClient,
) -> None:
    messages = (await ayrshare.get("/api/messages/instagram")).json()["messages"]
    assert [(m["id"], m["action"]) for m in messages] == [
        ("aWdfZMTpIyzQw-m2", "sent"),
        ("aWdfZMTpIyzQw-m1", "received"),
    ]
    await ayrshare.put(f"/api/messages/instagram/{INSTAGRAM}", json=ARCHIVE)
    assert (await ayrshare.get("/api/messages/instagram")).json()["messages"] == []
    archived = await ayrshare.get("/api/messages/instagram", params={"status": "archived"})
    assert [m["id"] for m in archived.json()["messages"]] == [m["id"] for m in messages]


async def test_conversation_id_narrows_messages(ayrshare: httpx.AsyncClient) -> None:
    async def message_ids(conversation_id: str) -> list[str]:
        response = await ayrshare.get(
            "/api/messages/facebook", params={"conversationId": conversation_id}
        )
        assert response.status_code == 200
        return [m["id"] for m in response.json()["messages"]]

    assert await message_ids(FACEBOOK) == ["fbConv0001-m1"]
    assert await message_ids(INSTAGRAM) == []
    assert await message_ids("unknown") == []


async def test_reads_have_no_side_effects(ayrshare: httpx.AsyncClient) -> None:
    def stable(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in {"lastUpdated", "nextUpdate"}}

    first = await ayrshare.get("/api/messages/instagram")
    narrowed = await ayrshare.get("/api/messages/instagram", params={"conversationId": INSTAGRAM})
    listing = await ayrshare.get("/api/messages/instagram", params={"conversationsOnly": "true"})
    second = await ayrshare.get("/api/messages/instagram")
    assert stable(first.json()) == stable(second.json()) == stable(narrowed.json())
    assert listing.status_code == 200
    assert await _conversation_ids(ayrshare, "instagram") == {INSTAGRAM}
    assert await _conversation_ids(ayrshare, "instagram", status="archived") == set()


@pytest.mark.parametrize(("platform", "seconds"), [("instagram", 60), ("twitter", 15)])
async def test_next_update_follows_the_documented_cache_time(
    ayrshare: httpx.AsyncClient, platform: str, seconds: int
) -> None:
    body = (await ayrshare.get(f"/api/messages/{platform}")).json()
    last = datetime.fromisoformat(body["lastUpdated"].replace("Z", "+00:00"))
    following = datetime.fromisoformat(body["nextUpdate"].replace("Z", "+00:00"))
    assert (following - last).total_seconds() == seconds


@pytest.mark.parametrize(
    ("platform", "params"),
    [
        ("linkedin", {}),
        ("instagram", {"status": "deleted"}),
        ("instagram", {"status": "ARCHIVED"}),
        ("instagram", {"conversationsOnly": "yes"}),
    ],
)
async def test_read_with_incorrect_parameters_is_101(
    ayrshare: httpx.AsyncClient, platform: str, params: dict[str, str]
) -> None:
    response = await ayrshare.get(f"/api/messages/{platform}", params=params)
    assert (response.status_code, response.json()) == (400, MISSING_OR_INCORRECT_PARAMETERS)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PATCH", f"/api/messages/instagram/{INSTAGRAM}", 405),
        ("GET", "/api/conversations", 404),
    ],
)
async def test_unknown_routes_answer_in_ayrshare_shape(
    ayrshare: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await ayrshare.request(method, path, json=ARCHIVE)
    assert response.status_code == status
    assert response.json()["status"] == "error"
