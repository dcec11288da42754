"""HighLevel through the whole app: in sandbox mode, and against an emulator with delays."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from syrupy.assertion import SnapshotAssertion

from inboxgraph.sandbox.highlevel import SANDBOX_TOKEN, HighLevelState, create_app
from tests.support import app_client, graphql, live_settings, update_many, update_one

MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
OPERATION = (
    Path(__file__).parents[2] / "graphql" / "operations" / "highlevel-mark-read.graphql"
).read_text()
PROVIDER_ERROR = {"code": "1", "type": "saas", "message": "There was an error from the provider"}


async def test_mark_read(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    result = await update_one(
        sandbox_client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
    )
    assert result["conversation"]["message"] == {"id": MESSAGE_ID, "status": "READ"}
    assert result == json_snapshot


async def test_mark_failed_with_provider_error(sandbox_client: httpx.AsyncClient) -> None:
    result = await update_one(
        sandbox_client,
        {
            "highLevel": {
                "messageId": MESSAGE_ID,
                "status": "FAILED",
                "error": PROVIDER_ERROR,
                "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
                "recipients": ["jane@example.com"],
            }
        },
    )
    assert result["conversation"] == {
        "__typename": "HighLevelConversation",
        "id": "ABC12h2F6uBrIkfXYazb",
        "message": {"id": MESSAGE_ID, "status": "FAILED"},
    }


async def test_saved_operation_marks_the_seeded_message_read(
    sandbox_client: httpx.AsyncClient,
) -> None:
    body = await graphql(sandbox_client, OPERATION)
    assert body == {
        "data": {
            "updateConversation": {
                "__typename": "ConversationUpdated",
                "provider": "HIGHLEVEL",
                "conversation": {
                    "id": "ABC12h2F6uBrIkfXYazb",
                    "message": {"id": MESSAGE_ID, "status": "READ"},
                },
            }
        }
    }


async def test_failures(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        sandbox_client,
        [
            {"highLevel": {"messageId": "nope0000000000000000", "status": "READ"}},
            {"highLevel": {"messageId": " ", "status": "READ"}},
            {"highLevel": {"messageId": MESSAGE_ID, "status": "READ", "error": PROVIDER_ERROR}},
            {
                "highLevel": {
                    "messageId": MESSAGE_ID,
                    "status": "FAILED",
                    "error": {**PROVIDER_ERROR, "type": ""},
                }
            },
            {"highLevel": {"messageId": MESSAGE_ID, "status": "READ", "emailMessageId": ""}},
            {"highLevel": {"messageId": MESSAGE_ID, "status": "READ", "recipients": []}},
            {"highLevel": {"messageId": MESSAGE_ID, "status": "READ", "recipients": ["a@b.c", ""]}},
        ],
    )
    assert [r["code"] for r in results] == ["NOT_FOUND"] + ["INVALID_INPUT"] * 6
    assert results == json_snapshot


def _recording(app: ASGIApp, seen: list[str]) -> ASGIApp:
    async def record(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(f"{scope['method']} {scope['path']}")
        await app(scope, receive, send)

    return record


@pytest.fixture
def state() -> HighLevelState:
    return HighLevelState()


@pytest.fixture
def seen() -> list[str]:
    return []


def _client_for(state: HighLevelState, seen: list[str], retry_seconds: str) -> httpx.AsyncClient:
    """The app in live mode, with the emulator (given state) standing in for HighLevel."""
    settings = live_settings(
        INBOXGRAPH_HIGHLEVEL_TOKEN=SANDBOX_TOKEN,
        INBOXGRAPH_HIGHLEVEL_BASE_URL="http://highlevel.test",
        INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS=retry_seconds,
    )
    transport = httpx.ASGITransport(app=_recording(create_app(state), seen))
    return app_client(settings, transport)


@pytest.fixture
def just_sent(state: HighLevelState) -> str:
    """A message sent just now: HighLevel refuses its status updates for 0.3 s."""
    state.add_message("justSent000000000001", writable_after=0.3)
    return "justSent000000000001"


async def test_just_sent_message_is_updated_once_downstreamed(
    state: HighLevelState, seen: list[str], just_sent: str
) -> None:
    started = time.monotonic()
    async with _client_for(state, seen, retry_seconds="1") as client:
        result = await update_one(
            client, {"highLevel": {"messageId": just_sent, "status": "DELIVERED"}}
        )
    assert result["conversation"]["message"] == {"id": just_sent, "status": "DELIVERED"}
    assert seen == [f"PUT /conversations/messages/{just_sent}/status"] * 2
    assert state.messages[just_sent]["status"] == "delivered"
    assert time.monotonic() - started >= 0.3


async def test_forbidden_beyond_the_retry_budget_is_reported(
    state: HighLevelState, seen: list[str], json_snapshot: SnapshotAssertion
) -> None:
    state.add_message("otherApp000000000001", provider_is_caller=False)
    async with _client_for(state, seen, retry_seconds="0.3") as client:
        result = await update_one(
            client, {"highLevel": {"messageId": "otherApp000000000001", "status": "READ"}}
        )
    assert result["code"] == "FORBIDDEN"
    assert len(seen) == 2
    assert state.messages["otherApp000000000001"]["status"] == "pending"
    assert result == json_snapshot


async def test_retrying_can_be_disabled(
    state: HighLevelState, seen: list[str], just_sent: str
) -> None:
    async with _client_for(state, seen, retry_seconds="0") as client:
        result = await update_one(client, {"highLevel": {"messageId": just_sent, "status": "READ"}})
    assert (result["code"], result["providerStatus"], result["providerCode"]) == (
        "FORBIDDEN",
        403,
        "403",
    )
    assert result["message"] == (
        "HighLevel answered HTTP 403: You do not have permission to access this resource"
    )
    assert len(seen) == 1
