"""HighLevel through the whole app: in sandbox mode, and against an emulator given state."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from syrupy.assertion import SnapshotAssertion

from inboxgraph.providers.highlevel import HighLevelAdapter
from inboxgraph.sandbox.highlevel import SANDBOX_TOKEN, HighLevelState, create_app
from inboxgraph.upstreams import connect_upstreams
from tests.support import (
    client_for,
    graphql,
    live_settings,
    record_upstream,
    update_many,
    update_one,
)

MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
OPERATION = (
    Path(__file__).parents[2] / "graphql" / "operations" / "highlevel-mark-read.graphql"
).read_text()
PROVIDER_ERROR = {"code": "1", "type": "saas", "message": "There was an error from the provider"}
DOC_EXAMPLE_INPUT = {
    "messageId": MESSAGE_ID,
    "status": "READ",
    "error": PROVIDER_ERROR,
    "emailMessageId": "ve9EPM428h8vShlRW1KT",
    "recipients": ["string"],
}
DOC_EXAMPLE_BODY = {
    "status": "read",
    "error": PROVIDER_ERROR,
    "emailMessageId": "ve9EPM428h8vShlRW1KT",
    "recipients": ["string"],
}
JUST_SENT = "justSent000000000001"
OTHER_APPS = "otherApp000000000001"

#: The read that follows every update, so the result tells the conversation's state too.
READ_AFTER_UPDATE = "GET /conversations/ABC12h2F6uBrIkfXYazb -> 200"


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
        "id": CONVERSATION_ID,
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
                    "id": CONVERSATION_ID,
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
            {"highLevel": {"messageId": "..", "status": "READ"}},
            {"highLevel": {"messageId": "a/b", "status": "READ"}},
            {"highLevel": {"messageId": "x" * 257, "status": "READ"}},
        ],
    )
    # The doc lists no 404 for the update: an unknown message is its documented 400.
    assert [(r["code"], r["providerStatus"], r["providerCode"]) for r in results] == [
        ("UPSTREAM_ERROR", 400, None)
    ] + [("INVALID_INPUT", None, None)] * 4
    assert {r["field"] for r in results[1:]} == {"highLevel.messageId"}
    assert results == json_snapshot


# --- The app in live mode, with an emulator (given state) standing in for HighLevel ---


class Exchanges:
    """An ASGI wrapper that notes each request's method, path and answer status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def noting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append(f"{scope['method']} {scope['path']} -> {message['status']}")
            await send(message)

        await self.app(scope, receive, noting_send)


@pytest.fixture
def state() -> HighLevelState:
    return HighLevelState()


def _connect(
    state: HighLevelState, retry_seconds: str
) -> tuple[httpx.AsyncClient, Exchanges, list[httpx.Request]]:
    """The app in live mode against the emulator: a client, the emulator's exchanges,
    and the requests sent upstream (with their bodies)."""
    emulator = Exchanges(create_app(state))
    settings = live_settings(
        INBOXGRAPH_HIGHLEVEL_TOKEN=SANDBOX_TOKEN,
        INBOXGRAPH_HIGHLEVEL_BASE_URL="http://highlevel.test",
        INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS=retry_seconds,
    )
    upstreams = connect_upstreams(settings, transport=httpx.ASGITransport(app=emulator))
    sent = record_upstream(upstreams)
    return client_for(upstreams), emulator, sent


def _status_path(message_id: str) -> str:
    return f"/conversations/messages/{message_id}/status"


async def test_the_docs_own_curl_example_lands_in_the_emulator(state: HighLevelState) -> None:
    client, emulator, sent = _connect(state, retry_seconds="0")
    async with client:
        result = await update_one(client, {"highLevel": DOC_EXAMPLE_INPUT})
    assert result["conversation"]["message"] == {"id": MESSAGE_ID, "status": "READ"}
    assert emulator.seen == [f"PUT {_status_path(MESSAGE_ID)} -> 200", READ_AFTER_UPDATE]
    assert json.loads(sent[0].content) == DOC_EXAMPLE_BODY
    assert state.messages[MESSAGE_ID]["status"] == "read"


@pytest.mark.parametrize(
    ("given", "sent_as"),
    [
        ({"recipients": []}, {"recipients": []}),
        ({"emailMessageId": ""}, {"emailMessageId": ""}),
        (
            {"error": {"code": "", "type": " ", "message": ""}},
            {"error": {"code": "", "type": " ", "message": ""}},
        ),
    ],
)
async def test_values_the_doc_does_not_forbid_land_in_the_emulator(
    state: HighLevelState, given: dict[str, Any], sent_as: dict[str, Any]
) -> None:
    client, emulator, sent = _connect(state, retry_seconds="0")
    async with client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED", **given}}
        )
    assert result["__typename"] == "ConversationUpdated", result
    assert json.loads(sent[0].content) == {"status": "delivered", **sent_as}
    assert emulator.seen == [f"PUT {_status_path(MESSAGE_ID)} -> 200", READ_AFTER_UPDATE]
    assert state.messages[MESSAGE_ID]["status"] == "delivered"


async def test_just_sent_message_is_updated_once_downstreamed(state: HighLevelState) -> None:
    # Young for 0.45 s: the first call comes well within it, and the one retry (after the
    # whole 0.5 s budget, the first delay being 0.5 s) after it.
    state.add_message(JUST_SENT, downstream_seconds=0.45)
    client, emulator, _ = _connect(state, retry_seconds="0.5")
    async with client:
        result = await update_one(client, {"highLevel": {"messageId": JUST_SENT, "status": "READ"}})
    assert result["conversation"]["message"] == {"id": JUST_SENT, "status": "READ"}
    assert emulator.seen == [
        f"PUT {_status_path(JUST_SENT)} -> 403",
        f"GET /conversations/messages/{JUST_SENT} -> 200",
        f"PUT {_status_path(JUST_SENT)} -> 200",
        READ_AFTER_UPDATE,
    ]
    assert state.messages[JUST_SENT]["status"] == "read"


async def test_old_message_of_another_app_fails_at_once(
    state: HighLevelState, json_snapshot: SnapshotAssertion
) -> None:
    state.add_message(
        OTHER_APPS, provider_is_caller=False, sent_at=datetime(2026, 4, 22, 9, 0, tzinfo=UTC)
    )
    client, emulator, _ = _connect(state, retry_seconds="10")
    started = time.monotonic()
    async with client:
        result = await update_one(
            client, {"highLevel": {"messageId": OTHER_APPS, "status": "READ"}}
        )
    assert time.monotonic() - started < 0.5  # the first retry would wait 0.5 s
    assert emulator.seen == [
        f"PUT {_status_path(OTHER_APPS)} -> 403",
        f"GET /conversations/messages/{OTHER_APPS} -> 200",
    ]
    assert state.messages[OTHER_APPS]["status"] == "pending"
    assert result == json_snapshot


async def test_young_message_of_another_app_is_retried_within_the_budget(
    state: HighLevelState, json_snapshot: SnapshotAssertion
) -> None:
    """Its 403 looks just like a message not yet downstreamed: retried, then reported."""
    state.add_message(OTHER_APPS, provider_is_caller=False)
    client, emulator, _ = _connect(state, retry_seconds="0.1")
    async with client:
        result = await update_one(
            client, {"highLevel": {"messageId": OTHER_APPS, "status": "READ"}}
        )
    assert (
        emulator.seen
        == [
            f"PUT {_status_path(OTHER_APPS)} -> 403",
            f"GET /conversations/messages/{OTHER_APPS} -> 200",
        ]
        * 2
    )
    assert result == json_snapshot


async def test_retrying_can_be_disabled(state: HighLevelState) -> None:
    state.add_message(JUST_SENT)
    client, emulator, _ = _connect(state, retry_seconds="0")
    async with client:
        result = await update_one(client, {"highLevel": {"messageId": JUST_SENT, "status": "READ"}})
    assert (result["code"], result["providerStatus"], result["providerCode"]) == (
        "FORBIDDEN",
        403,
        None,
    )
    assert result["message"] == (
        "HighLevel answered HTTP 403: You do not have permission to access this resource"
    )
    assert emulator.seen == [f"PUT {_status_path(JUST_SENT)} -> 403"]


async def test_the_emulator_refuses_an_adapter_sending_another_api_version(
    state: HighLevelState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What would catch a wrong `Version` in the adapter: the emulator states its own."""
    monkeypatch.setattr(
        HighLevelAdapter, "static_headers", {"Version": "2021-07-28", "Accept": "application/json"}
    )
    client, emulator, _ = _connect(state, retry_seconds="0")
    async with client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert (result["code"], result["providerStatus"], result["message"]) == (
        "UPSTREAM_ERROR",
        400,
        "HighLevel answered HTTP 400: version header must be one of: 2021-04-15",
    )
    assert emulator.seen == [f"PUT {_status_path(MESSAGE_ID)} -> 400"]
    assert state.messages[MESSAGE_ID]["status"] == "pending"


# --- The budget the emulator reports, honoured before anything more is sent ---


async def test_once_the_emulator_reports_the_burst_spent_nothing_more_reaches_it(
    state: HighLevelState,
) -> None:
    """Another client of the same app and location has made 99 of the burst's 100."""
    for _ in range(99):
        state.rate.take()
    client, emulator, sent = _connect(state, retry_seconds="0")
    async with client:
        last = await update_one(client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}})
        refused = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED"}}
        )
    assert last["conversation"]["message"] == {"id": MESSAGE_ID, "status": "READ"}
    assert (refused["code"], refused["providerStatus"], refused["retryable"]) == (
        "RATE_LIMITED",
        None,
        True,
    )
    assert refused["message"] == (
        "HighLevel reports its rate-limit budget spent; this request was not sent. Retry in 10 s."
    )
    # Nothing after the update that spent the burst reached the emulator (not even the
    # read that would have followed it).
    assert emulator.seen == [f"PUT {_status_path(MESSAGE_ID)} -> 200"]
    assert len(sent) == 1
    assert state.messages[MESSAGE_ID]["status"] == "read"


async def test_once_the_emulator_reports_the_day_spent_nothing_more_reaches_it() -> None:
    state = HighLevelState(daily_requests=1)
    client, emulator, sent = _connect(state, retry_seconds="0")
    async with client:
        last = await update_one(client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}})
        refused = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED"}}
        )
    assert last["__typename"] == "ConversationUpdated"
    assert refused["code"] == "RATE_LIMITED"
    assert refused["message"].endswith("this request was not sent. Retry in 3600 s.")
    assert emulator.seen == [f"PUT {_status_path(MESSAGE_ID)} -> 200"]
    assert len(sent) == 1
