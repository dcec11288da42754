"""Emulator of HighLevel's conversation API (https://services.leadconnectorhq.com).

Faithful to the documented semantics: bearer auth (401) and the `Version: 2021-04-15`
header (400) on every call; the burst limit of 100 requests per 10 s and the daily
limit of 200,000, per app per location, reported in `X-RateLimit-*` headers (429 when
spent); `{"statusCode", "message", "error"}` error bodies, with NestJS-style lists of
messages for a body that breaks the schema; and the 403 for a message whose status may
not be set: one whose conversation provider is another app, or one sent so recently
that it is not yet "downstreamed" (its `dateAdded` is less than `downstream_seconds`
ago). Both refusals carry the same body, as HighLevel documents one 403 for both.

The update stores the status; the provider's `error` is kept on the message while its
status is `failed`. The read endpoints have no side effects.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inboxgraph.sandbox.common import bearer_token, json_body, json_response

SANDBOX_TOKEN = "sandbox-highlevel-token"
#: The doc's `Version` header: "Possible values: [2021-04-15]".
API_VERSION = "2021-04-15"
#: How long after it is sent a message stays not "downstreamed" ("about 5-10 seconds").
DOWNSTREAM_SECONDS = 7.0
SEEDED_CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
STATUSES = ("delivered", "failed", "pending", "read")
BODY_FIELDS = frozenset({"status", "error", "emailMessageId", "recipients"})
ERROR_FIELDS = ("code", "type", "message")
BURST_REQUESTS = 100
BURST_SECONDS = 10.0
DAILY_REQUESTS = 200_000
DAY_SECONDS = 86_400.0

Clock = Callable[[], float]
WallClock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RateWindow:
    """One app's budget in one location: a sliding burst window and a daily total."""

    def __init__(self, clock: Clock, *, daily_requests: int = DAILY_REQUESTS) -> None:
        self._clock = clock
        self._daily_requests = daily_requests
        self._sent: deque[float] = deque()
        self._day_started: float | None = None
        self._sent_today = 0

    def take(self) -> tuple[bool, dict[str, str]]:
        """Count one request if the budget allows it; the headers describe what is left."""
        now = self._clock()
        while self._sent and self._sent[0] <= now - BURST_SECONDS:
            self._sent.popleft()
        if self._day_started is None or now - self._day_started >= DAY_SECONDS:
            self._day_started = now
            self._sent_today = 0
        allowed = len(self._sent) < BURST_REQUESTS and self._sent_today < self._daily_requests
        if allowed:
            self._sent.append(now)
            self._sent_today += 1
        headers = {
            "X-RateLimit-Max": str(BURST_REQUESTS),
            "X-RateLimit-Remaining": str(BURST_REQUESTS - len(self._sent)),
            "X-RateLimit-Interval-Milliseconds": str(int(BURST_SECONDS * 1000)),
            "X-RateLimit-Limit-Daily": str(self._daily_requests),
            "X-RateLimit-Daily-Remaining": str(self._daily_requests - self._sent_today),
        }
        return allowed, headers


class HighLevelState:
    """The sandbox location's conversations and messages; the sandbox app is their provider.

    `clock` paces the rate limit; `now` is the wall clock that `dateAdded` is read against.
    """

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        now: WallClock = _utc_now,
        daily_requests: int = DAILY_REQUESTS,
    ) -> None:
        self.clock = clock
        self.now = now
        self.conversations = {c["id"]: c for c in seed_conversations()}
        self.messages = {m["id"]: m for m in seed_messages()}
        self.rate = RateWindow(clock, daily_requests=daily_requests)
        self._downstream_seconds: dict[str, float] = {}
        self._other_providers_messages: set[str] = set()

    def add_message(
        self,
        message_id: str,
        *,
        conversation_id: str = SEEDED_CONVERSATION_ID,
        status: str = "pending",
        downstream_seconds: float = DOWNSTREAM_SECONDS,
        provider_is_caller: bool = True,
    ) -> None:
        """Add an outbound SMS, sent now.

        Its status can be set once `downstream_seconds` have passed since its
        `dateAdded`, and never when `provider_is_caller` is false (another app is the
        conversation provider).
        """
        conversation = self.conversations[conversation_id]
        self.messages[message_id] = {
            "id": message_id,
            "conversationId": conversation_id,
            "locationId": conversation["locationId"],
            "contactId": conversation["contactId"],
            "status": status,
            "direction": "outbound",
            "messageType": "TYPE_SMS",
            "dateAdded": _iso(self.now()),
        }
        self._downstream_seconds[message_id] = downstream_seconds
        if not provider_is_caller:
            self._other_providers_messages.add(message_id)

    def may_set_status(self, message_id: str) -> bool:
        if message_id in self._other_providers_messages:
            return False
        message = self.messages[message_id]
        sent_at = datetime.fromisoformat(message["dateAdded"].replace("Z", "+00:00"))
        delay = self._downstream_seconds.get(message_id, DOWNSTREAM_SECONDS)
        return self.now() >= sent_at + timedelta(seconds=delay)


def _error(status: int, message: str | list[str], error: str) -> JSONResponse:
    return json_response({"statusCode": status, "message": message, "error": error}, status)


def create_app(state: HighLevelState | None = None) -> Starlette:
    state = state or HighLevelState()

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """Auth, then the rate limit, then the API version, before any handler runs."""

        async def endpoint(request: Request) -> Response:
            if bearer_token(request) != SANDBOX_TOKEN:
                return _error(401, "Invalid token: access token is invalid", "Unauthorized")
            allowed, rate_headers = state.rate.take()
            version = request.headers.get("version")
            if not allowed:
                response: Response = _error(429, "Too many requests", "Too Many Requests")
            elif version is None:
                response = _error(400, "version header was not found", "Bad Request")
            elif version != API_VERSION:
                response = _error(
                    400, f"version header must be one of: {API_VERSION}", "Bad Request"
                )
            else:
                response = await handler(request)
            response.headers.update(rate_headers)
            return response

        return endpoint

    async def get_conversation(request: Request) -> Response:
        conversation = state.conversations.get(request.path_params["conversation_id"])
        if conversation is None:
            return _error(404, "Conversation not found", "Not Found")
        return json_response(dict(conversation))

    async def get_message(request: Request) -> Response:
        message = state.messages.get(request.path_params["message_id"])
        if message is None:
            return _error(404, "Message not found", "Not Found")
        return json_response(dict(message))

    async def update_status(request: Request) -> Response:
        ok, body = await json_body(request)
        if not ok or not isinstance(body, dict):
            return _error(400, ["body must be a JSON object"], "Bad Request")
        problems = _body_problems(body)
        if problems:
            return _error(400, problems, "Bad Request")
        message_id = request.path_params["message_id"]
        message = state.messages.get(message_id)
        if message is None:
            return _error(404, "Message not found", "Not Found")
        if not state.may_set_status(message_id):
            return _error(403, "You do not have permission to access this resource", "Forbidden")
        message["status"] = body["status"]
        if body["status"] == "failed" and body.get("error") is not None:
            message["error"] = dict(body["error"])
        else:
            message.pop("error", None)
        answer = {"conversationId": message["conversationId"], "messageId": message_id}
        if body.get("emailMessageId") is not None:
            answer["emailMessageId"] = body["emailMessageId"]
        return json_response(answer)

    return Starlette(
        routes=[
            Route("/conversations/messages/{message_id}", guarded(get_message), methods=["GET"]),
            Route(
                "/conversations/messages/{message_id}/status",
                guarded(update_status),
                methods=["PUT"],
            ),
            Route("/conversations/{conversation_id}", guarded(get_conversation), methods=["GET"]),
        ]
    )


def _body_problems(body: dict[str, Any]) -> list[str]:
    """What the update body breaks, in the words of HighLevel's validation errors."""
    problems = [f"property {name} should not exist" for name in body if name not in BODY_FIELDS]
    status = body.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        problems.append(f"status must be one of the following values: {', '.join(STATUSES)}")
    error = body.get("error")
    if error is not None:
        problems.extend(_error_object_problems(error))
    email_message_id = body.get("emailMessageId")
    if email_message_id is not None and not isinstance(email_message_id, str):
        problems.append("emailMessageId must be a string")
    recipients = body.get("recipients")
    if recipients is not None:
        if not isinstance(recipients, list):
            problems.append("recipients must be an array")
        elif not all(isinstance(recipient, str) for recipient in recipients):
            problems.append("each value in recipients must be a string")
    return problems


def _error_object_problems(error: Any) -> list[str]:
    if not isinstance(error, dict):
        return ["error must be an object"]
    problems = [
        f"property error.{name} should not exist" for name in error if name not in ERROR_FIELDS
    ]
    for name in ERROR_FIELDS:
        value = error.get(name)
        if not isinstance(value, str):
            problems.append(f"error.{name} must be a string")
        elif not value:
            problems.append(f"error.{name} should not be empty")
    return problems


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# --- The records a fresh emulator holds (SANDBOX.md) ---


def seed_messages() -> list[dict[str, Any]]:
    return [
        {
            "id": "ve9EPM428h8vShlRW1KT",
            "conversationId": "ABC12h2F6uBrIkfXYazb",
            "locationId": "ve9EPM428h8vShlRW1KT",
            "contactId": "9VEmS0si86GW6gXWU89b",
            "status": "pending",
            "direction": "outbound",
            "messageType": "TYPE_EMAIL",
            "dateAdded": "2026-04-22T09:12:00.000Z",
        }
    ]


def seed_conversations() -> list[dict[str, Any]]:
    return [
        {
            "id": "ABC12h2F6uBrIkfXYazb",
            "contactId": "9VEmS0si86GW6gXWU89b",
            "locationId": "ve9EPM428h8vShlRW1KT",
            "unreadCount": 0,
            "starred": False,
            "deleted": False,
        }
    ]
