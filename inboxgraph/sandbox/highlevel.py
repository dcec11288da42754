"""Emulator of HighLevel's conversation API (https://services.leadconnectorhq.com).

Documented (`hl-doc` is ../shared/provider-docs/highlevel-update-message-status.txt,
`README` is ../shared/provider-docs/README.md, `openapi` is HighLevel's published
OpenAPI, https://github.com/GoHighLevel/highlevel-api-docs/blob/main/apps/conversations.json,
`rate-limits` is https://marketplace.gohighlevel.com/docs/other/rate-limits):
- `PUT /conversations/messages/{messageId}/status` with a body of `status` (one of
  `delivered`, `failed`, `pending`, `read`; required), `error` (an object of the
  strings `code`, `type`, `message`, each required), `emailMessageId` (a string) and
  `recipients` (an array of strings) (hl-doc, openapi `UpdateMessageStatusDto`,
  `ErrorDto`). Nothing more is asked of them: an empty `recipients`, empty strings and
  an `error` with any status (the doc's own cURL sends one with `read`) are accepted.
- Its success answer: `conversationId` and `messageId`, both required, and an optional
  `emailMessageId` (hl-doc 200 schema; openapi `SendMessageResponseDto`).
- Bearer auth on every call: 401 `{"statusCode": 401, "message": "Invalid token: access
  token is invalid", "error": "Unauthorized"}` (hl-doc); `Version: 2021-04-15` on every
  call (hl-doc "Header Parameters"; README; openapi for the two reads).
- 400 answers in the shape `{"statusCode": 400, "message": <string>}` (hl-doc "Bad
  Request"; openapi `BadRequestDTO`). An unknown `messageId` gets exactly the doc's
  example, `{"statusCode": 400, "message": "Bad Request"}`: the doc lists 200, 400, 401
  and 403 for the update, and no 404.
- 403 `{"statusCode": 403, "message": "You do not have permission to access this
  resource", "error": "Forbidden"}` (hl-doc) for a message whose status this app may not
  set: one whose conversation provider is another app, or one sent so recently that it
  is not yet "downstreamed" (README: "about 5-10 seconds"; `DOWNSTREAM_SECONDS`). The
  two refusals carry the same body; only the message's `dateAdded` tells them apart.
- `GET /conversations/{id}` (id, contactId, locationId, unreadCount, starred, deleted)
  and `GET /conversations/messages/{id}` (the message itself: id, conversationId,
  status, direction, messageType, dateAdded, ...) (README; openapi
  `GetConversationByIdResponse`, `GetMessageResponseDto`).
- Per app per location, a burst limit of 100 requests per 10 s and 200,000 a day,
  reported in `X-RateLimit-Max`, `X-RateLimit-Remaining`,
  `X-RateLimit-Interval-Milliseconds`, `X-RateLimit-Limit-Daily` and
  `X-RateLimit-Daily-Remaining`, and a 429 once spent (README; rate-limits).

Inferred (the docs do not say; decided here):
- What the reads answer for an unknown id: 404 `{"statusCode": 404, "message": ...,
  "error": "Not Found"}`. openapi lists only 200, 400 and 401 for both reads; 404 keeps
  "not found" apart from other errors without reading message text.
- The texts of 400 messages (which header or body rule was broken, joined with "; "),
  and the body of a 429, which the docs name but do not show.
- The order of the checks: auth, then the rate limit, then the version, then the body,
  then the message. A 401 counts against no budget and carries no rate-limit headers.
- Properties the schema does not name are refused (a 400), as a NestJS whitelist does;
  it keeps the adapter from sending anything HighLevel might silently drop.
- The update sets `status` only. What HighLevel does with `error`, `emailMessageId` and
  `recipients` is not documented and no documented read returns them, so they are
  checked against the schema and not kept. The answer echoes a given `emailMessageId`.
- That another app's message gets the doc's one 403: README states the rule ("only the
  app registered as the conversation provider may set a message's status"), not the
  answer.
- The reads have no side effects. A message added with `add_message` is an outbound
  SMS that stays not downstreamed for `downstream_seconds` (default 7 s, within the
  README's "about 5-10 seconds").
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
        sent_at: datetime | None = None,
    ) -> None:
        """Add an outbound SMS, sent at `sent_at` (default: now).

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
            "dateAdded": _iso(self.now() if sent_at is None else sent_at),
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


def _error(status: int, message: str, error: str) -> JSONResponse:
    return json_response({"statusCode": status, "message": message, "error": error}, status)


def _bad_request(message: str) -> JSONResponse:
    """The documented 400 shape: `{"statusCode": 400, "message": <string>}`."""
    return json_response({"statusCode": 400, "message": message}, 400)


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
                response = _bad_request("version header was not found")
            elif version != API_VERSION:
                response = _bad_request(f"version header must be one of: {API_VERSION}")
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
            return _bad_request("body must be a JSON object")
        problems = _body_problems(body)
        if problems:
            return _bad_request("; ".join(problems))
        message_id = request.path_params["message_id"]
        message = state.messages.get(message_id)
        if message is None:
            return _bad_request("Bad Request")
        if not state.may_set_status(message_id):
            return _error(403, "You do not have permission to access this resource", "Forbidden")
        message["status"] = body["status"]
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
    problems.extend(
        f"error.{name} must be a string"
        for name in ERROR_FIELDS
        if not isinstance(error.get(name), str)
    )
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
