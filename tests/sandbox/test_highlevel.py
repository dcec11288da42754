"""HighLevel emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inboxgraph.sandbox.highlevel import SANDBOX_TOKEN, HighLevelState, create_app

MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
STATUS_PATH = f"/conversations/messages/{MESSAGE_ID}/status"
HEADERS = {"Authorization": f"Bearer {SANDBOX_TOKEN}", "Version": "2021-04-15"}
PROVIDER_ERROR = {"code": "1", "type": "saas", "message": "There was an error from the provider"}
#: The body of the doc's own cURL example, verbatim.
DOC_EXAMPLE_BODY = {
    "status": "read",
    "error": PROVIDER_ERROR,
    "emailMessageId": "ve9EPM428h8vShlRW1KT",
    "recipients": ["string"],
}
FORBIDDEN = {
    "statusCode": 403,
    "message": "You do not have permission to access this resource",
    "error": "Forbidden",
}
STATUS_RULE = "status must be one of the following values: delivered, failed, pending, read"


class FakeClock:
    """The monotonic clock the rate limit runs on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeWallClock:
    """The wall clock `dateAdded` is written and read against."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall() -> FakeWallClock:
    return FakeWallClock()


@pytest.fixture
def state(clock: FakeClock, wall: FakeWallClock) -> HighLevelState:
    return HighLevelState(clock, now=wall)


@pytest.fixture
async def highlevel(state: HighLevelState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://highlevel", headers=HEADERS
    ) as client:
        yield client


async def _message(highlevel: httpx.AsyncClient, message_id: str = MESSAGE_ID) -> Any:
    response = await highlevel.get(f"/conversations/messages/{message_id}")
    assert response.status_code == 200
    return response.json()


async def _status_of(highlevel: httpx.AsyncClient, message_id: str = MESSAGE_ID) -> Any:
    return (await _message(highlevel, message_id))["status"]


# --- The update ---


async def test_put_stores_status_and_answers_documented_shape(
    highlevel: httpx.AsyncClient,
) -> None:
    assert await _status_of(highlevel) == "pending"
    response = await highlevel.put(STATUS_PATH, json={"status": "read"})
    assert response.status_code == 200
    assert response.json() == {"conversationId": CONVERSATION_ID, "messageId": MESSAGE_ID}
    assert await _status_of(highlevel) == "read"


async def test_email_message_id_is_echoed(highlevel: httpx.AsyncClient) -> None:
    response = await highlevel.put(
        STATUS_PATH,
        json={
            "status": "delivered",
            "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
            "recipients": ["jane@example.com"],
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "conversationId": CONVERSATION_ID,
        "messageId": MESSAGE_ID,
        "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
    }


async def test_the_docs_own_curl_example_is_accepted(highlevel: httpx.AsyncClient) -> None:
    response = await highlevel.put(STATUS_PATH, json=DOC_EXAMPLE_BODY)
    assert response.status_code == 200
    assert await _status_of(highlevel) == "read"


@pytest.mark.parametrize(
    "extra",
    [
        {"recipients": []},
        {"recipients": ["", " "]},
        {"emailMessageId": ""},
        {"error": {"code": "", "type": "", "message": ""}},
        {"error": {"code": "1", "type": "saas", "message": " "}},
    ],
)
async def test_values_the_doc_does_not_forbid_are_accepted(
    highlevel: httpx.AsyncClient, extra: dict[str, Any]
) -> None:
    response = await highlevel.put(STATUS_PATH, json={"status": "delivered", **extra})
    assert response.status_code == 200, response.json()
    assert await _status_of(highlevel) == "delivered"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, STATUS_RULE),
        ({"status": "sent"}, STATUS_RULE),
        ({"status": "READ"}, STATUS_RULE),
        ({"status": ["read"]}, STATUS_RULE),
        ({"status": "failed", "error": "boom"}, "error must be an object"),
        (
            {"status": "failed", "error": {"type": "saas", "message": "m"}},
            "error.code must be a string",
        ),
        (
            {"status": "failed", "error": {"code": 1, "type": "saas", "message": "m"}},
            "error.code must be a string",
        ),
        (
            {"status": "failed", "error": {**PROVIDER_ERROR, "detail": "x"}},
            "property error.detail should not exist",
        ),
        ({"status": "read", "emailMessageId": 7}, "emailMessageId must be a string"),
        ({"status": "read", "recipients": "jane@example.com"}, "recipients must be an array"),
        ({"status": "read", "recipients": ["a", 1]}, "each value in recipients must be a string"),
        ({"status": "read", "unread": True}, "property unread should not exist"),
        ({"status": "x", "unread": True}, f"property unread should not exist; {STATUS_RULE}"),
    ],
)
async def test_body_breaking_the_schema_is_the_documented_400(
    highlevel: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await highlevel.put(STATUS_PATH, json=body)
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": message}
    assert await _status_of(highlevel) == "pending"


@pytest.mark.parametrize("content", [b"", b"not json", b"[1]", b'"read"'])
async def test_body_that_is_not_an_object_is_the_documented_400(
    highlevel: httpx.AsyncClient, content: bytes
) -> None:
    response = await highlevel.put(
        STATUS_PATH, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": "body must be a JSON object"}


async def test_unknown_message_is_the_documented_400(highlevel: httpx.AsyncClient) -> None:
    """The doc lists 200, 400, 401 and 403 for the update: no 404."""
    response = await highlevel.put(
        "/conversations/messages/nope0000000000000000/status", json={"status": "read"}
    )
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": "Bad Request"}


# --- Auth and the API version ---


@pytest.mark.parametrize(
    "path",
    [STATUS_PATH, f"/conversations/messages/{MESSAGE_ID}", f"/conversations/{CONVERSATION_ID}"],
)
@pytest.mark.parametrize("authorization", ["Bearer wrong-token", "", f"Basic {SANDBOX_TOKEN}"])
async def test_every_call_requires_the_bearer_token(
    highlevel: httpx.AsyncClient, path: str, authorization: str
) -> None:
    method = "PUT" if path == STATUS_PATH else "GET"
    response = await highlevel.request(
        method, path, json={"status": "read"}, headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.json() == {
        "statusCode": 401,
        "message": "Invalid token: access token is invalid",
        "error": "Unauthorized",
    }
    assert await _status_of(highlevel) == "pending"


@pytest.mark.parametrize(
    "path",
    [STATUS_PATH, f"/conversations/messages/{MESSAGE_ID}", f"/conversations/{CONVERSATION_ID}"],
)
@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "version header was not found"),
        ("2021-07-28", "version header must be one of: 2021-04-15"),
        ("", "version header must be one of: 2021-04-15"),
    ],
)
async def test_every_call_requires_version_2021_04_15(
    state: HighLevelState, path: str, version: str | None, message: str
) -> None:
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    if version is not None:
        headers["Version"] = version
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://highlevel") as client:
        method = "PUT" if path == STATUS_PATH else "GET"
        response = await client.request(method, path, json={"status": "read"}, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": message}
    assert state.messages[MESSAGE_ID]["status"] == "pending"


# --- The 403: not the conversation provider, or not yet "downstreamed" ---


async def test_just_sent_message_is_403_until_downstreamed(
    highlevel: httpx.AsyncClient, state: HighLevelState, wall: FakeWallClock
) -> None:
    state.add_message("justSent000000000001", downstream_seconds=7.0)
    path = "/conversations/messages/justSent000000000001/status"
    wall.advance(6.9)
    refused = await highlevel.put(path, json={"status": "delivered"})
    assert refused.status_code == 403
    assert refused.json() == FORBIDDEN
    assert await _status_of(highlevel, "justSent000000000001") == "pending"
    wall.advance(0.1)
    accepted = await highlevel.put(path, json={"status": "delivered"})
    assert accepted.status_code == 200
    assert accepted.json() == {
        "conversationId": CONVERSATION_ID,
        "messageId": "justSent000000000001",
    }
    assert await _status_of(highlevel, "justSent000000000001") == "delivered"


async def test_message_of_another_conversation_provider_is_always_403(
    highlevel: httpx.AsyncClient, state: HighLevelState, wall: FakeWallClock
) -> None:
    state.add_message("otherApp000000000001", provider_is_caller=False)
    wall.advance(3600)
    response = await highlevel.put(
        "/conversations/messages/otherApp000000000001/status", json={"status": "read"}
    )
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert await _status_of(highlevel, "otherApp000000000001") == "pending"


async def test_both_refusals_look_alike_but_for_the_messages_date_added(
    highlevel: httpx.AsyncClient, state: HighLevelState, wall: FakeWallClock
) -> None:
    long_ago = datetime(2026, 4, 22, 9, 0, tzinfo=UTC)
    state.add_message("otherApp000000000001", provider_is_caller=False, sent_at=long_ago)
    state.add_message("justSent000000000001")
    refusals = [
        await highlevel.put(f"/conversations/messages/{m}/status", json={"status": "read"})
        for m in ("otherApp000000000001", "justSent000000000001")
    ]
    assert [(r.status_code, r.json()) for r in refusals] == [(403, FORBIDDEN)] * 2
    other, just_sent = [
        await _message(highlevel, m) for m in ("otherApp000000000001", "justSent000000000001")
    ]
    assert other["dateAdded"] == "2026-04-22T09:00:00.000Z"
    assert just_sent["dateAdded"] == "2026-11-30T12:00:00.000Z"


# --- Rate limits ---


async def test_burst_limit_is_100_per_10_seconds_with_headers(
    highlevel: httpx.AsyncClient, state: HighLevelState, clock: FakeClock
) -> None:
    first = await highlevel.get(f"/conversations/{CONVERSATION_ID}")
    assert {k: v for k, v in first.headers.items() if k.startswith("x-ratelimit")} == {
        "x-ratelimit-max": "100",
        "x-ratelimit-remaining": "99",
        "x-ratelimit-interval-milliseconds": "10000",
        "x-ratelimit-limit-daily": "200000",
        "x-ratelimit-daily-remaining": "199999",
    }
    clock.now += 5
    for _ in range(98):
        await highlevel.get(f"/conversations/{CONVERSATION_ID}")
    last = await highlevel.put(STATUS_PATH, json={"status": "read"})
    assert (last.status_code, last.headers["X-RateLimit-Remaining"]) == (200, "0")
    limited = await highlevel.put(STATUS_PATH, json={"status": "delivered"})
    assert limited.status_code == 429
    assert limited.json() == {
        "statusCode": 429,
        "message": "Too many requests",
        "error": "Too Many Requests",
    }
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert state.messages[MESSAGE_ID]["status"] == "read"
    clock.now += 5  # the first request leaves the window
    again = await highlevel.put(STATUS_PATH, json={"status": "delivered"})
    assert (again.status_code, again.headers["X-RateLimit-Remaining"]) == (200, "0")
    assert again.headers["X-RateLimit-Daily-Remaining"] == str(200_000 - 101)


async def test_daily_limit_is_enforced(clock: FakeClock) -> None:
    state = HighLevelState(clock, daily_requests=2)
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://highlevel", headers=HEADERS
    ) as client:
        answers = []
        for _ in range(3):
            clock.now += 60
            answers.append(await client.get(f"/conversations/{CONVERSATION_ID}"))
        clock.now += 86_400
        next_day = await client.get(f"/conversations/{CONVERSATION_ID}")
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Daily-Remaining"] for a in answers] == ["1", "0", "0"]
    assert next_day.status_code == 200


# --- Reads ---


async def test_read_conversation(highlevel: httpx.AsyncClient) -> None:
    response = await highlevel.get(f"/conversations/{CONVERSATION_ID}")
    assert response.status_code == 200
    assert response.json() == {
        "id": CONVERSATION_ID,
        "contactId": "9VEmS0si86GW6gXWU89b",
        "locationId": "ve9EPM428h8vShlRW1KT",
        "unreadCount": 0,
        "starred": False,
        "deleted": False,
    }


async def test_read_message_shows_current_status_without_side_effects(
    highlevel: httpx.AsyncClient,
) -> None:
    before = await _message(highlevel)
    again = await _message(highlevel)
    assert before == again
    assert (before["id"], before["conversationId"], before["status"], before["dateAdded"]) == (
        MESSAGE_ID,
        CONVERSATION_ID,
        "pending",
        "2026-04-22T09:12:00.000Z",
    )
    conversation = (await highlevel.get(f"/conversations/{CONVERSATION_ID}")).json()
    assert conversation["unreadCount"] == 0


@pytest.mark.parametrize(
    "path", ["/conversations/nope0000000000000000", "/conversations/messages/nope0000000000000000"]
)
async def test_read_unknown_is_404(highlevel: httpx.AsyncClient, path: str) -> None:
    """Inferred: the docs list 200, 400 and 401 for these reads and say nothing of this."""
    response = await highlevel.get(path)
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404
    assert response.json()["error"] == "Not Found"
