"""Emulator of Ayrshare's messages API (https://api.ayrshare.com).

**Documented** (each point with its source):

- `PUT /api/messages/{platform}/{conversationId}` with a JSON body `{"status": "active" |
  "archived"}`, `platform` one of facebook, instagram, twitter; success is 200
  `{"status": "success"}`, and a missing or incorrect parameter is 400 `{"action":
  "request", "status": "error", "code": 101, "message": "Missing or incorrect
  parameters. ..."}`. `Authorization: Bearer API_KEY`; the optional `Profile-Key`
  header selects a user profile. (provider-docs/ayrshare-update-messages.txt)
- `GET /api/messages/{platform}` with `status=active|archived` (default `active`) and
  `conversationId` ("only return the specific conversation") answers `{"status":
  "success", "messages": [{"senderId", "senderDetails", "conversationId", "created",
  "action", "recipientId", "id", "message", "platform"}], "lastUpdated", "nextUpdate"}`,
  newest message first as in the example; answers are cached 60 s for Facebook and
  Instagram and 15 s for X/Twitter, which `nextUpdate` minus `lastUpdated` states.
  (Get Messages, https://www.ayrshare.com/docs/apis/messages/get-messages)
- 401 for a missing or invalid API key; 404 for an endpoint that does not exist; 405
  for an unsupported method; 300 requests per 5 minutes per user profile, shown in the
  `x-ratelimit-max` and `x-ratelimit-count` headers, and 429 beyond; 1,000 429s within
  24 hours suspend the profile, and "a 403 might also be returned if the User Profile
  is suspended". (https://www.ayrshare.com/docs/errors/errors-http)

**Inferred** (not stated by those docs; decided here):

- A conversation the PUT cannot act on (unknown, on another platform, or another
  profile's) and a `Profile-Key` that names no profile answer 400 with code 101 on every
  route: the update doc documents only that refusal ("missing or incorrect
  parameters"), so the emulator does not invent a 404 or 403 for them.
- A blank `Profile-Key` acts for the primary profile (HTTP strips the whitespace).
- Checks run in this order: API key, Profile-Key, suspension, rate limit, then the
  endpoint's parameters. An answer to a known profile carries the rate-limit headers.
- The 5-minute window is fixed, starting at the profile's first request; a 429 is not
  counted in it. A suspended profile gets 403 on every route (the errors page says only
  that a 403 "might" be returned) with a message chosen here, and the emulator never
  lifts a suspension.
- Only code 101 is documented: the 401, 403, 404, 405 and 429 bodies use Ayrshare's
  error shape with messages chosen here and no `code`.
- A `conversationId` filter that matches nothing (unknown, or in the other status)
  gives an empty `messages` list, as a filter would.
- `conversationsOnly=true`: Get Messages documents the parameter ("return all the
  conversations", `conversationId` then ignored) but not its answer. The emulator
  answers `{"status": "success", "conversationIds": [...], "conversationsDetails":
  [{"id", "status", "participant": {"id", "name"}}], "lastUpdated", "nextUpdate"}`,
  newest conversation first, so a client sending the documented parameter is not
  served messages instead. The shape is invented: inboxgraph does not read it and
  nothing should be built on it. A value other than `true` or `false` is code 101.
- Each conversation belongs to one profile: the seeded records to the primary profile,
  the one with `profile_key` to that profile. Reads have no side effects, and the
  emulator serves current state rather than a cached copy.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inboxgraph.sandbox.common import bearer_token, json_body, json_response

SANDBOX_TOKEN = "sandbox-ayrshare-token"
PLATFORMS = frozenset({"facebook", "instagram", "twitter"})
STATUSES = frozenset({"active", "archived"})
DEFAULT_STATUS = "active"
PRIMARY_PROFILE = ""
RATE_LIMIT_MAX = 300
RATE_LIMIT_WINDOW_SECONDS = 300.0
SUSPEND_AFTER_RATE_LIMITED = 1000
SUSPENSION_WINDOW_SECONDS = 24 * 3600.0
CACHE_SECONDS = {"facebook": 60, "instagram": 60, "twitter": 15}
MISSING_OR_INCORRECT_PARAMETERS = (
    "Missing or incorrect parameters. Please verify with the docs. "
    ".../ayrshare.com/rest-api/endpoints"
)
MISSING_OR_INCORRECT_PARAMETERS_CODE = 101

ConversationKey = tuple[str, str, str]  # (profile key, platform, conversation id)


@dataclass
class RateWindow:
    started: float
    count: int = 0


class AyrshareState:
    """Conversations and messages of every profile, plus each profile's rate-limit usage."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        rate_limit_max: int = RATE_LIMIT_MAX,
        rate_limit_window_seconds: float = RATE_LIMIT_WINDOW_SECONDS,
        suspend_after_rate_limited: int = SUSPEND_AFTER_RATE_LIMITED,
    ) -> None:
        self.conversations: dict[ConversationKey, dict[str, Any]] = {}
        for record in seed_conversations():
            profile = record.pop("profile_key", PRIMARY_PROFILE)
            self.conversations[(profile, record["platform"], record["id"])] = record
        self.messages = seed_messages()
        self.tokens = frozenset({SANDBOX_TOKEN})
        self.profiles = frozenset({PRIMARY_PROFILE, SANDBOX_PROFILE_KEY})
        self.clock = clock
        self.rate_limit_max = rate_limit_max
        self.rate_limit_window_seconds = rate_limit_window_seconds
        self.suspend_after_rate_limited = suspend_after_rate_limited
        self.windows: dict[str, RateWindow] = {}
        self.rate_limited: dict[str, deque[float]] = {}
        self.suspended: set[str] = set()

    def admit(self, profile: str) -> tuple[bool, int]:
        """Count one request against `profile`: (admitted, requests counted in the window)."""
        now = self.clock()
        window = self.windows.get(profile)
        if window is None or now - window.started >= self.rate_limit_window_seconds:
            window = self.windows[profile] = RateWindow(started=now)
        if window.count < self.rate_limit_max:
            window.count += 1
            return True, window.count
        refusals = self.rate_limited.setdefault(profile, deque())
        refusals.append(now)
        while refusals[0] <= now - SUSPENSION_WINDOW_SECONDS:
            refusals.popleft()
        if len(refusals) >= self.suspend_after_rate_limited:
            self.suspended.add(profile)
        return False, window.count


def _error(status: int, message: str, *, code: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"action": "request", "status": "error"}
    if code is not None:
        body["code"] = code
    body["message"] = message
    return json_response(body, status)


def _missing_or_incorrect_parameters() -> JSONResponse:
    return _error(400, MISSING_OR_INCORRECT_PARAMETERS, code=MISSING_OR_INCORRECT_PARAMETERS_CODE)


Handler = Callable[[Request, str], Awaitable[Response]]


def create_app(state: AyrshareState | None = None) -> Starlette:
    state = state or AyrshareState()

    def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if bearer_token(request) not in state.tokens:
                return _error(401, "API Key not valid. Please verify your API Key.")
            profile = request.headers.get("profile-key", "").strip() or PRIMARY_PROFILE
            if profile not in state.profiles:
                return _missing_or_incorrect_parameters()
            if profile in state.suspended:
                return _error(
                    403,
                    "This User Profile is suspended after too many rate limit errors.",
                )
            admitted, count = state.admit(profile)
            if admitted:
                response = await handler(request, profile)
            else:
                response = _error(
                    429,
                    f"Too many requests: {state.rate_limit_max} requests are allowed per "
                    f"{state.rate_limit_window_seconds:g} seconds for each User Profile.",
                )
            response.headers["x-ratelimit-max"] = str(state.rate_limit_max)
            response.headers["x-ratelimit-count"] = str(count)
            return response

        return endpoint

    async def update_conversation(request: Request, profile: str) -> Response:
        platform = request.path_params["platform"]
        if platform not in PLATFORMS:
            return _missing_or_incorrect_parameters()
        status = await _json_status(request)
        if status is None:
            return _missing_or_incorrect_parameters()
        conversation_id = request.path_params["conversation_id"]
        conversation = state.conversations.get((profile, platform, conversation_id))
        if conversation is None:
            return _missing_or_incorrect_parameters()
        conversation["status"] = status
        return json_response({"status": "success"})

    async def get_messages(request: Request, profile: str) -> Response:
        platform = request.path_params["platform"]
        status = request.query_params.get("status", DEFAULT_STATUS)
        conversations_only = request.query_params.get("conversationsOnly", "false")
        if (
            platform not in PLATFORMS
            or status not in STATUSES
            or conversations_only not in {"true", "false"}
        ):
            return _missing_or_incorrect_parameters()
        listed = {
            conversation_id: record
            for (owner, on_platform, conversation_id), record in state.conversations.items()
            if owner == profile and on_platform == platform and record["status"] == status
        }
        messages = sorted(
            (
                dict(m)
                for m in state.messages
                if m["platform"] == platform and m["conversationId"] in listed
            ),
            key=lambda m: str(m["created"]),
            reverse=True,
        )
        freshness = _freshness(platform)
        if conversations_only == "true":
            # An inferred shape: Ayrshare documents the parameter, not its answer.
            details = [_conversation_details(record, messages) for record in listed.values()]
            details.sort(key=lambda d: _latest(d["id"], messages), reverse=True)
            return json_response(
                {
                    "status": "success",
                    "conversationIds": [d["id"] for d in details],
                    "conversationsDetails": details,
                    **freshness,
                }
            )
        conversation_id = request.query_params.get("conversationId")
        if conversation_id is not None:
            messages = [m for m in messages if m["conversationId"] == conversation_id]
        return json_response({"status": "success", "messages": messages, **freshness})

    async def route_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return _error(405, "Method not allowed.")
        return _error(404, "Endpoint not found.")

    return Starlette(
        routes=[
            Route("/api/messages/{platform}", guarded(get_messages), methods=["GET"]),
            Route(
                "/api/messages/{platform}/{conversation_id:path}",
                guarded(update_conversation),
                methods=["PUT"],
            ),
        ],
        exception_handlers={404: route_error, 405: route_error},
    )


async def _json_status(request: Request) -> str | None:
    """The `status` of a JSON body, when the body is JSON and the status a known one."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        return None
    ok, body = await json_body(request)
    if not ok or not isinstance(body, dict):
        return None
    status = body.get("status")
    return status if isinstance(status, str) and status in STATUSES else None


def _conversation_details(record: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    details: dict[str, Any] = {"id": record["id"], "status": record["status"]}
    received = [
        m for m in messages if m["conversationId"] == record["id"] and m["action"] == "received"
    ]
    if received:
        details["participant"] = {
            "id": received[0]["senderId"],
            "name": received[0]["senderDetails"]["name"],
        }
    return details


def _latest(conversation_id: str, messages: list[dict[str, Any]]) -> str:
    return max(
        (str(m["created"]) for m in messages if m["conversationId"] == conversation_id),
        default="",
    )


def _freshness(platform: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "lastUpdated": _iso(now),
        "nextUpdate": _iso(now + timedelta(seconds=CACHE_SECONDS[platform])),
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# --- The records a fresh emulator holds (SANDBOX.md) ---

#: The one Ayrshare user profile (besides the primary profile) the sandbox knows.
SANDBOX_PROFILE_KEY = "SBX7K2Q-4MNP8RT-W3XY6ZA-B9CD5EF"


def seed_conversations() -> list[dict[str, Any]]:
    """Records without `profile_key` belong to the primary profile."""
    return [
        {"platform": "instagram", "id": "aWdfZMTpIyzQw", "status": "active"},
        {"platform": "facebook", "id": "fbConv0001", "status": "active"},
        {
            "platform": "twitter",
            "id": "1470000000000000001-1500000000000000002",
            "status": "active",
            "profile_key": SANDBOX_PROFILE_KEY,
        },
    ]


def seed_messages() -> list[dict[str, Any]]:
    return [
        {
            "id": "aWdfZMTpIyzQw-m1",
            "conversationId": "aWdfZMTpIyzQw",
            "platform": "instagram",
            "action": "received",
            "senderId": "17841400000000001",
            "senderDetails": {"name": "Jane Doe"},
            "recipientId": "17841400000000099",
            "message": "Is the spring collection out yet?",
            "created": "2026-04-22T09:12:00.000Z",
        },
        {
            "id": "aWdfZMTpIyzQw-m2",
            "conversationId": "aWdfZMTpIyzQw",
            "platform": "instagram",
            "action": "sent",
            "senderId": "17841400000000099",
            "senderDetails": {"name": "Sandbox Shop"},
            "recipientId": "17841400000000001",
            "message": "It launches on Friday!",
            "created": "2026-04-22T09:15:00.000Z",
        },
        {
            "id": "fbConv0001-m1",
            "conversationId": "fbConv0001",
            "platform": "facebook",
            "action": "received",
            "senderId": "7101149746568444",
            "senderDetails": {"name": "John Smith"},
            "recipientId": "106638148652444",
            "message": "How is the weather?",
            "created": "2026-04-21T08:00:00.000Z",
        },
        {
            "id": "1470000000000000001-m1",
            "conversationId": "1470000000000000001-1500000000000000002",
            "platform": "twitter",
            "action": "received",
            "senderId": "1470000000000000001",
            "senderDetails": {"name": "Sam Lee"},
            "recipientId": "1500000000000000002",
            "message": "Thanks for the follow!",
            "created": "2026-04-20T15:00:00.000Z",
        },
    ]
