"""HighLevel adapter: documented rules, the exact upstream request, errors and 403 retries."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inboxgraph.domain.highlevel import (
    HighLevelConversationRef,
    HighLevelMessageStatus,
    HighLevelMessageStatusUpdate,
    HighLevelProviderError,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import InvalidInput, ProviderError
from inboxgraph.providers.highlevel import HighLevelAdapter, forbidden_backoff
from inboxgraph.upstreams import connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

BASE_URL = "https://services.leadconnectorhq.com"
MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
STATUS_PATH = f"/conversations/messages/{MESSAGE_ID}/status"
MESSAGE_PATH = f"/conversations/messages/{MESSAGE_ID}"
UPDATED = {"conversationId": CONVERSATION_ID, "messageId": MESSAGE_ID}
FORBIDDEN_BODY = {
    "statusCode": 403,
    "message": "You do not have permission to access this resource",
    "error": "Forbidden",
}
#: The body of the doc's own cURL example, verbatim.
DOC_EXAMPLE_BODY = {
    "status": "read",
    "error": {"code": "1", "type": "saas", "message": "There was an error from the provider"},
    "emailMessageId": "ve9EPM428h8vShlRW1KT",
    "recipients": ["string"],
}
DOC_EXAMPLE_INPUT = {
    "messageId": MESSAGE_ID,
    "status": "READ",
    "error": {"code": "1", "type": "saas", "message": "There was an error from the provider"},
    "emailMessageId": "ve9EPM428h8vShlRW1KT",
    "recipients": ["string"],
}
#: The seeded message's `dateAdded`: long past.
OLD_DATE_ADDED = "2026-04-22T09:12:00.000Z"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _update(**changes: Any) -> HighLevelMessageStatusUpdate:
    fields: dict[str, Any] = {"message_id": MESSAGE_ID, "status": HighLevelMessageStatus.READ}
    fields.update(changes)
    return HighLevelMessageStatusUpdate(**fields)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _sent(seen: list[httpx.Request]) -> list[str]:
    return [f"{request.method} {request.url.path}" for request in seen]


#: What `GET /conversations/{id}` tells, read once after an update.
READ_AFTER_UPDATE = f"GET /conversations/{CONVERSATION_ID}"
CONVERSATION = {"id": CONVERSATION_ID, "unreadCount": 2, "deleted": False}


def then_read(
    answer: Callable[[httpx.Request], httpx.Response],
) -> Callable[[httpx.Request], httpx.Response]:
    """HighLevel answering `answer` to updates, and the conversation to the read after."""

    def respond(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == f"/conversations/{CONVERSATION_ID}":
            return httpx.Response(200, json=CONVERSATION)
        return answer(request)

    return respond


# --- The request ---


async def test_update_sends_documented_request() -> None:
    transport, seen = mock_upstream(
        then_read(
            lambda request: httpx.Response(
                200, json={**UPDATED, "emailMessageId": "rnGyqh2F6uBrIkfhFo9A"}
            )
        )
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "highLevel": {
                    "messageId": MESSAGE_ID,
                    "status": "FAILED",
                    "error": {
                        "code": "1",
                        "type": "saas",
                        "message": "There was an error from the provider",
                    },
                    "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
                    "recipients": ["jane@example.com", "john@example.com"],
                }
            },
        )
    request, read = seen
    assert _sent([read]) == [READ_AFTER_UPDATE]
    assert request.method == "PUT"
    assert str(request.url) == f"{BASE_URL}{STATUS_PATH}"
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.HIGHLEVEL]}"
    assert request.headers["Version"] == "2021-04-15"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "status": "failed",
        "error": {"code": "1", "type": "saas", "message": "There was an error from the provider"},
        "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
        "recipients": ["jane@example.com", "john@example.com"],
    }
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "HIGHLEVEL",
        "conversation": {
            "__typename": "HighLevelConversation",
            "id": CONVERSATION_ID,
            "message": {"id": MESSAGE_ID, "status": "FAILED"},
        },
    }


async def test_the_docs_own_curl_example_is_sent_exactly_as_given() -> None:
    transport, seen = mock_upstream(then_read(lambda request: httpx.Response(200, json=UPDATED)))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"highLevel": DOC_EXAMPLE_INPUT})
    assert result["conversation"]["message"] == {"id": MESSAGE_ID, "status": "READ"}
    request, read = seen
    assert _sent([read]) == [READ_AFTER_UPDATE]
    assert (request.method, str(request.url)) == ("PUT", f"{BASE_URL}{STATUS_PATH}")
    assert json.loads(request.content) == DOC_EXAMPLE_BODY


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ({"recipients": []}, {"recipients": []}),
        ({"recipients": ["", " "]}, {"recipients": ["", " "]}),
        ({"emailMessageId": ""}, {"emailMessageId": ""}),
        ({"emailMessageId": " "}, {"emailMessageId": " "}),
        (
            {"error": {"code": "", "type": " ", "message": ""}},
            {"error": {"code": "", "type": " ", "message": ""}},
        ),
    ],
)
async def test_values_the_doc_does_not_forbid_are_sent_as_given(
    given: dict[str, Any], sent: dict[str, Any]
) -> None:
    transport, seen = mock_upstream(then_read(lambda request: httpx.Response(200, json=UPDATED)))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED", **given}}
        )
    assert result["__typename"] == "ConversationUpdated"
    request, read = seen
    assert _sent([read]) == [READ_AFTER_UPDATE]
    assert json.loads(request.content) == {"status": "delivered", **sent}


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(then_read(lambda request: httpx.Response(200, json=UPDATED)))
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_BASE_URL="https://ghl.internal/proxy/")
    async with app_client(settings, transport) as client:
        await update_one(client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}})
    assert str(seen[0].url) == f"https://ghl.internal/proxy{STATUS_PATH}"
    assert json.loads(seen[0].content) == {"status": "read"}


def test_build_update_sends_only_given_fields() -> None:
    request = HighLevelAdapter(forbidden_retry_seconds=0).build_update(
        _update(status=HighLevelMessageStatus.DELIVERED)
    )
    assert (request.method, request.path, request.json) == (
        "PUT",
        STATUS_PATH,
        {"status": "delivered"},
    )


def test_build_update_escapes_the_message_id() -> None:
    request = HighLevelAdapter(forbidden_retry_seconds=0).build_update(
        _update(message_id="a b%c+é")
    )
    assert request.path == "/conversations/messages/a%20b%25c%2B%C3%A9/status"


# --- Validation: the one rule is that the id must travel in a URL path segment ---

NOT_PATH_SEGMENTS = [
    "",
    " ",
    ".",
    "..",
    "a/b",
    "a\\b",
    "a?b",
    "a#b",
    "a\x00b",
    "a\nb",
    "a\x7fb",
    "x" * 257,
]


@pytest.mark.parametrize("message_id", NOT_PATH_SEGMENTS)
def test_validate_refuses_a_message_id_that_is_not_a_path_segment(message_id: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        HighLevelAdapter(forbidden_retry_seconds=0).validate(_update(message_id=message_id))
    assert caught.value.code is UpdateErrorCode.INVALID_INPUT
    assert caught.value.field == "highLevel.messageId"


@pytest.mark.parametrize("message_id", NOT_PATH_SEGMENTS)
async def test_a_message_id_that_is_not_a_path_segment_sends_nothing(message_id: str) -> None:
    transport, seen = mock_upstream(then_read(lambda request: httpx.Response(200, json=UPDATED)))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": message_id, "status": "READ"}}
        )
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "highLevel.messageId")
    assert result["message"].startswith("highLevel.messageId: ")
    assert seen == []


@pytest.mark.parametrize(
    "update",
    [
        _update(),
        _update(message_id="x" * 256),
        _update(
            error=HighLevelProviderError(
                code="1", type="saas", message="There was an error from the provider"
            ),
            email_message_id="ve9EPM428h8vShlRW1KT",
            recipients=("string",),
        ),
        _update(status=HighLevelMessageStatus.FAILED),
        _update(recipients=()),
        _update(recipients=("", " ")),
        _update(email_message_id=""),
        _update(error=HighLevelProviderError(code="", type=" ", message="\t")),
    ],
)
def test_validate_accepts_what_the_doc_allows(update: HighLevelMessageStatusUpdate) -> None:
    HighLevelAdapter(forbidden_retry_seconds=0).validate(update)


# --- Answers ---


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"messageId": MESSAGE_ID}),
        httpx.Response(200, json={"conversationId": "", "messageId": MESSAGE_ID}),
        httpx.Response(200, json={"conversationId": 7, "messageId": MESSAGE_ID}),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, text="<html>OK</html>"),
    ],
)
async def test_unreadable_success_is_unconfirmed(answer: httpx.Response) -> None:
    transport, seen = mock_upstream(lambda request: answer)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert result["code"] == "UNCONFIRMED"
    assert (result["providerStatus"], result["mayHaveBeenApplied"], result["retryable"]) == (
        200,
        True,
        False,
    )
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (FORBIDDEN_BODY, "You do not have permission to access this resource"),
        (
            {
                "statusCode": 422,
                "message": ["status must be one of the following values", "property x"],
                "error": "Unprocessable Entity",
            },
            "status must be one of the following values; property x",
        ),
        ({"statusCode": 400, "message": "Bad Request"}, "Bad Request"),
        ({"statusCode": 502, "error": "Bad Gateway"}, "Bad Gateway"),
        ({"statusCode": True, "message": []}, None),
        ("<html>Bad Gateway</html>", None),
        (None, None),
    ],
)
def test_error_details_reads_the_message_and_no_code(body: Any, message: str | None) -> None:
    details = HighLevelAdapter(forbidden_retry_seconds=0).error_details(400, body)
    assert (details.code, details.provider_code, details.message) == (None, None, message)


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (400, {"statusCode": 400, "message": "Bad Request"}, "UPSTREAM_ERROR"),
        (
            401,
            {
                "statusCode": 401,
                "message": "Invalid token: access token is invalid",
                "error": "Unauthorized",
            },
            "UNAUTHENTICATED",
        ),
        (403, FORBIDDEN_BODY, "FORBIDDEN"),
        (404, {"statusCode": 404, "message": "Not Found", "error": "Not Found"}, "NOT_FOUND"),
        (
            422,
            {"statusCode": 422, "message": ["x"], "error": "Unprocessable Entity"},
            "UPSTREAM_ERROR",
        ),
        (429, {"statusCode": 429, "message": "Too many requests"}, "RATE_LIMITED"),
        (500, {"statusCode": 500, "message": "Internal server error"}, "UPSTREAM_UNAVAILABLE"),
    ],
)
async def test_provider_code_is_null_for_every_highlevel_error(
    status: int, body: dict[str, Any], code: str
) -> None:
    """HighLevel's `statusCode` only repeats the HTTP status: it is not a code of its own."""
    transport, _ = mock_upstream(lambda request: httpx.Response(status, json=body))
    # Retries would only repeat the same answer.
    async with app_client(live_settings(INBOXGRAPH_RETRY_ATTEMPTS="1"), transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert (result["code"], result["providerStatus"], result["providerCode"]) == (
        code,
        status,
        None,
    )


# --- Retrying the 403 HighLevel gives while it "downstreams" a message just sent ---


@pytest.mark.parametrize(
    ("budget", "delays"),
    [
        (10.0, (0.5, 1.0, 2.0, 4.0, 2.5)),
        (1.5, (0.5, 1.0)),
        (1.0, (0.5, 0.5)),
        (0.2, (0.2,)),
        (0.0, ()),
    ],
)
def test_forbidden_backoff_doubles_within_the_budget(
    budget: float, delays: tuple[float, ...]
) -> None:
    assert forbidden_backoff(budget) == pytest.approx(delays)
    assert sum(forbidden_backoff(budget)) == pytest.approx(budget)


def test_negative_retry_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        HighLevelAdapter(forbidden_retry_seconds=-1)


def _forbidden() -> ProviderError:
    return ProviderError(
        UpdateErrorCode.FORBIDDEN,
        "HighLevel answered HTTP 403: You do not have permission to access this resource",
        provider_status=403,
    )


class MessageReads:
    """A `Fetch` for the adapter's message read: records each request, gives one answer."""

    def __init__(self, answer: Callable[[], UpstreamResponse]) -> None:
        self.requests: list[UpstreamRequest] = []
        self._answer = answer

    async def __call__(self, request: UpstreamRequest) -> UpstreamResponse:
        self.requests.append(request)
        return self._answer()


def _message_read(date_added: Any) -> MessageReads:
    body = {"id": MESSAGE_ID, "conversationId": CONVERSATION_ID, "dateAdded": date_added}
    return MessageReads(lambda: UpstreamResponse(200, {}, json.dumps(body).encode()))


def _adapter(budget: float = 1.5, now: datetime = NOW) -> HighLevelAdapter:
    return HighLevelAdapter(forbidden_retry_seconds=budget, clock=lambda: now)


@pytest.mark.parametrize(
    "date_added",
    [
        _iso(NOW - timedelta(seconds=3)),
        _iso(NOW - timedelta(seconds=15)),
        _iso(NOW + timedelta(seconds=2)),  # HighLevel's clock a little ahead of ours
        (NOW - timedelta(seconds=3)).replace(tzinfo=None).isoformat(),  # no zone: UTC
        "2026-11-30T13:59:57+02:00",  # another zone
    ],
)
async def test_a_403_for_a_message_sent_moments_ago_is_retried(date_added: str) -> None:
    reads = _message_read(date_added)
    assert await _adapter().after_failure(_update(), _forbidden(), 0, reads) == 0.5
    assert reads.requests == [UpstreamRequest("GET", MESSAGE_PATH)]


async def test_retries_follow_the_backoff_then_report_the_refusal() -> None:
    adapter, reads = _adapter(budget=1.5), _message_read(_iso(NOW - timedelta(seconds=1)))
    decisions = [await adapter.after_failure(_update(), _forbidden(), n, reads) for n in range(3)]
    assert decisions[:2] == [0.5, 1.0]
    assert isinstance(decisions[2], ProviderError)
    assert decisions[2].code is UpdateErrorCode.FORBIDDEN
    assert decisions[2].provider_status == 403
    assert decisions[2].message == (
        "HighLevel answered HTTP 403: You do not have permission to access this resource "
        "(still refused after retrying for 1.5 s, 2 retries; HighLevel refuses status "
        "updates for about 5-10 s after a message is sent, and always when this app is not "
        "the conversation's provider)"
    )
    assert len(reads.requests) == 3


async def test_retries_stop_once_the_message_is_no_longer_young() -> None:
    reads = _message_read(_iso(NOW - timedelta(seconds=16)))
    decision = await _adapter(budget=10).after_failure(_update(), _forbidden(), 1, reads)
    assert isinstance(decision, ProviderError)
    assert decision.message.endswith(
        "(still refused after retrying for 0.5 s, 1 retry; HighLevel refuses status "
        "updates for about 5-10 s after a message is sent, and always when this app is not "
        "the conversation's provider)"
    )


@pytest.mark.parametrize(
    "date_added",
    [OLD_DATE_ADDED, _iso(NOW - timedelta(seconds=15, milliseconds=1))],
)
async def test_a_403_for_an_older_message_is_reported_at_once(date_added: str) -> None:
    reads = _message_read(date_added)
    decision = await _adapter(budget=10).after_failure(_update(), _forbidden(), 0, reads)
    assert isinstance(decision, ProviderError)
    assert (decision.code, decision.provider_status, decision.provider_code) == (
        UpdateErrorCode.FORBIDDEN,
        403,
        None,
    )
    sent_at = datetime.fromisoformat(date_added).isoformat()
    assert decision.message == (
        "HighLevel answered HTTP 403: You do not have permission to access this resource; "
        f"not retried: the message was sent at {sent_at}, not moments ago, so this is not "
        "the refusal HighLevel gives while it downstreams a new message (is this app the "
        "conversation's provider?)"
    )
    assert reads.requests == [UpstreamRequest("GET", MESSAGE_PATH)]


def _refused_read() -> UpstreamResponse:
    raise _forbidden()


@pytest.mark.parametrize(
    "reads",
    [
        MessageReads(_refused_read),
        _message_read(1732968000000),
        _message_read("moments ago"),
        _message_read(None),
        MessageReads(lambda: UpstreamResponse(200, {}, b'{"id": "ve9EPM428h8vShlRW1KT"}')),
        MessageReads(lambda: UpstreamResponse(200, {}, b"<html>")),
    ],
)
async def test_a_403_is_not_retried_when_the_message_cannot_be_read(reads: MessageReads) -> None:
    decision = await _adapter(budget=10).after_failure(_update(), _forbidden(), 0, reads)
    assert isinstance(decision, ProviderError)
    assert decision.code is UpdateErrorCode.FORBIDDEN
    assert decision.message.endswith(
        "; not retried: the message's dateAdded could not be read, so this cannot be told "
        "apart from a permanent refusal"
    )
    assert len(reads.requests) == 1


async def test_only_a_403_is_ever_retried() -> None:
    reads = _message_read(_iso(NOW))
    for code in set(UpdateErrorCode) - {UpdateErrorCode.FORBIDDEN}:
        error = ProviderError(code, "no")
        assert await _adapter().after_failure(_update(), error, 0, reads) is error
    assert reads.requests == []


async def test_a_zero_budget_reports_the_403_as_it_came() -> None:
    reads, error = _message_read(_iso(NOW)), _forbidden()
    assert await _adapter(budget=0).after_failure(_update(), error, 0, reads) is error
    assert reads.requests == []


# --- The same, through the client: the exact requests sent ---


def _answers(*answers: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(answers)
    return lambda request: queue.pop(0)


async def test_forbidden_for_a_message_sent_moments_ago_is_retried_until_it_succeeds() -> None:
    just_sent = _iso(datetime.now(UTC) - timedelta(seconds=2))
    transport, seen = mock_upstream(
        _answers(
            httpx.Response(403, json=FORBIDDEN_BODY),
            httpx.Response(200, json={"id": MESSAGE_ID, "dateAdded": just_sent}),
            httpx.Response(200, json=UPDATED),
            httpx.Response(200, json=CONVERSATION),
        )
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="0.05")
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED"}}
        )
    assert result["conversation"]["message"] == {"id": MESSAGE_ID, "status": "DELIVERED"}
    assert _sent(seen) == [
        f"PUT {STATUS_PATH}",
        f"GET {MESSAGE_PATH}",
        f"PUT {STATUS_PATH}",
        READ_AFTER_UPDATE,
    ]
    assert seen[2].content == seen[0].content == b'{"status":"delivered"}'
    assert seen[1].headers["Version"] == "2021-04-15"
    assert seen[1].headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.HIGHLEVEL]}"


async def test_forbidden_for_an_old_message_fails_at_once() -> None:
    transport, seen = mock_upstream(
        _answers(
            httpx.Response(403, json=FORBIDDEN_BODY),
            httpx.Response(200, json={"id": MESSAGE_ID, "dateAdded": OLD_DATE_ADDED}),
        )
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="10")
    started = time.monotonic()
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert time.monotonic() - started < 0.5  # the first retry would wait 0.5 s
    assert _sent(seen) == [f"PUT {STATUS_PATH}", f"GET {MESSAGE_PATH}"]
    assert (result["code"], result["providerStatus"], result["providerCode"]) == (
        "FORBIDDEN",
        403,
        None,
    )
    assert "not retried: the message was sent at 2026-04-22T09:12:00+00:00" in result["message"]


async def test_forbidden_is_not_retried_when_reading_the_message_fails() -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(403, json=FORBIDDEN_BODY))
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="10")
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert _sent(seen) == [f"PUT {STATUS_PATH}", f"GET {MESSAGE_PATH}"]
    assert result["code"] == "FORBIDDEN"
    assert "dateAdded could not be read" in result["message"]


async def test_other_errors_are_not_retried() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(400, json={"statusCode": 400, "message": "Bad Request"})
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="5")
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert result["code"] == "UPSTREAM_ERROR"
    assert _sent(seen) == [f"PUT {STATUS_PATH}"]


# --- Reads ---


async def test_read_gets_each_conversation_and_treats_404_as_missing() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(
                404, json={"statusCode": 404, "message": "Conversation not found"}
            )
        return httpx.Response(200, json={"id": CONVERSATION_ID, "unreadCount": 0})

    transport, seen = mock_upstream(upstream)
    client = connect_upstreams(live_settings(), transport=transport).client(Provider.HIGHLEVEL)
    found_ref, missing_ref, unsendable_ref = (
        HighLevelConversationRef(id=CONVERSATION_ID),
        HighLevelConversationRef(id="missing"),
        HighLevelConversationRef(id="../contacts"),
    )
    found = await client.read([found_ref, missing_ref, unsendable_ref])
    assert list(found) == [found_ref]
    assert found[found_ref].id == CONVERSATION_ID
    assert found[found_ref].message is None
    assert sorted(str(r.url) for r in seen) == [
        f"{BASE_URL}/conversations/{CONVERSATION_ID}",
        f"{BASE_URL}/conversations/missing",
    ]
    assert all(r.headers["Version"] == "2021-04-15" for r in seen)


async def test_read_never_retries_a_forbidden_answer() -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(403, json=FORBIDDEN_BODY))
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="5")
    client = connect_upstreams(settings, transport=transport).client(Provider.HIGHLEVEL)
    with pytest.raises(ProviderError) as caught:
        await client.read([HighLevelConversationRef(id=CONVERSATION_ID)])
    assert caught.value.code is UpdateErrorCode.FORBIDDEN
    assert caught.value.provider_code is None
    assert len(seen) == 1


@pytest.mark.parametrize("body", [{"unreadCount": 0}, {"id": 7}, {"id": ""}, ["x"]])
async def test_read_answer_without_a_string_id_is_an_upstream_error(body: Any) -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, json=body))
    client = connect_upstreams(live_settings(), transport=transport).client(Provider.HIGHLEVEL)
    with pytest.raises(ProviderError) as caught:
        await client.read([HighLevelConversationRef(id=CONVERSATION_ID)])
    assert caught.value.code is UpdateErrorCode.UPSTREAM_ERROR


# --- The budget HighLevel reports: burst and daily X-RateLimit-* headers ---

BURST_LEFT = "x-ratelimit-remaining"
INTERVAL_MS = "x-ratelimit-interval-milliseconds"
DAY_LEFT = "x-ratelimit-daily-remaining"
MARK_READ = {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}


def _adapter_wait(headers: dict[str, str]) -> float | None:
    answer = UpstreamResponse(200, headers, json.dumps(UPDATED).encode())
    return HighLevelAdapter(forbidden_retry_seconds=0).spent_budget_wait(answer)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({BURST_LEFT: "1", INTERVAL_MS: "10000", DAY_LEFT: "199000"}, None),
        ({BURST_LEFT: "0", INTERVAL_MS: "10000", DAY_LEFT: "199000"}, 10.0),
        ({BURST_LEFT: "-2", INTERVAL_MS: "2500"}, 2.5),
        ({BURST_LEFT: " 0 ", INTERVAL_MS: " 500 "}, 0.5),
        # A spent burst with no readable interval waits the documented 10 s.
        ({BURST_LEFT: "0"}, 10.0),
        ({BURST_LEFT: "0", INTERVAL_MS: "ten seconds"}, 10.0),
        ({BURST_LEFT: "0", INTERVAL_MS: "0"}, 10.0),
        ({BURST_LEFT: "0", INTERVAL_MS: "-10000"}, 10.0),
        ({BURST_LEFT: "none", INTERVAL_MS: "10000"}, None),
        ({BURST_LEFT: "0.0", INTERVAL_MS: "10000"}, None),
        ({BURST_LEFT: "", INTERVAL_MS: "10000"}, None),
        ({BURST_LEFT: "\u0660", INTERVAL_MS: "10000"}, None),
        ({INTERVAL_MS: "10000"}, None),
        ({}, None),
        # The day spent: an hour (HighLevel does not say when its day starts).
        ({BURST_LEFT: "57", DAY_LEFT: "0"}, 3600.0),
        ({BURST_LEFT: "0", INTERVAL_MS: "10000", DAY_LEFT: "0"}, 3600.0),
        ({DAY_LEFT: "-1"}, 3600.0),
        ({DAY_LEFT: "1"}, None),
        ({DAY_LEFT: "spent"}, None),
    ],
)
def test_a_spent_budget_holds_the_location_back(
    headers: dict[str, str], wait: float | None
) -> None:
    assert _adapter_wait(headers) == wait


def _reporting(**headers: str) -> Callable[[httpx.Request], httpx.Response]:
    """HighLevel answering every call (the update, and the read that follows) with `headers`."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = UPDATED if request.method == "PUT" else {"id": CONVERSATION_ID}
        return httpx.Response(200, json=body, headers=headers)

    return answer


async def test_a_spent_burst_refuses_the_next_update_without_sending_it() -> None:
    transport, seen = mock_upstream(_reporting(**{BURST_LEFT: "0", INTERVAL_MS: "10000"}))
    async with app_client(live_settings(), transport) as client:
        sent = await update_one(client, MARK_READ)
        refused = await update_one(client, MARK_READ)
    assert sent["__typename"] == "ConversationUpdated"
    assert len(seen) == 1
    assert (refused["code"], refused["providerStatus"], refused["retryable"]) == (
        "RATE_LIMITED",
        None,
        True,
    )
    assert refused["message"] == (
        "HighLevel reports its rate-limit budget spent; this request was not sent. Retry in 10 s."
    )


async def test_a_short_burst_interval_is_waited_out_then_the_update_is_sent() -> None:
    """The interval is in milliseconds: 300 ms is waited, not refused as 300 s would be."""
    transport, seen = mock_upstream(_reporting(**{BURST_LEFT: "0", INTERVAL_MS: "300"}))
    async with app_client(live_settings(), transport) as client:
        await update_one(client, MARK_READ)
        started = time.monotonic()
        second = await update_one(client, MARK_READ)
    assert second["__typename"] == "ConversationUpdated"
    assert [r.method for r in seen].count("PUT") == 2
    assert 0.25 <= time.monotonic() - started < 2.0


async def test_a_spent_day_refuses_updates_for_an_hour() -> None:
    transport, seen = mock_upstream(_reporting(**{BURST_LEFT: "99", DAY_LEFT: "0"}))
    async with app_client(live_settings(), transport) as client:
        await update_one(client, MARK_READ)
        refused = await update_one(client, MARK_READ)
    assert len(seen) == 1
    assert refused["code"] == "RATE_LIMITED"
    assert refused["message"].endswith("this request was not sent. Retry in 3600 s.")
