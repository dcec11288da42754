"""Emulator of Puffle's conversation API (https://app.puffle.ai).

Sources: the update page (`puffle-update-conversation.txt`, "PATCH /api/conversations/{id}
Update a conversation") and the Puffle facts in the provider-docs `README.md` (from
Puffle's reference pages for the read endpoints), both in `/work/shared/provider-docs/`
(quoted below as "update page" and "facts").

Documented:

- `Authorization: Bearer <token>` on every call (update page, "Authorizations"; facts).
- The `id` path parameter must match `^(<UUID, version digit 1-8, variant 8/9/a/b>|
  00000000-...|ffffffff-...)$` (update page, "Path Parameters"). The pattern is stated
  here and matched whole: an id with anything after it, a trailing newline included,
  does not match.
- Ownership: another account's conversation answers 404, "same as a missing id"
  (update page, "Overview" and "Path Parameters"; facts, "Update").
- `PATCH /api/conversations/{id}` takes `status` and `unread_count`: `status` values other
  than `active` and `archived` "are silently dropped"; "An empty or all-invalid body
  returns 400"; `unread_count` is an integer with "Required range: 0 <= x <=
  9007199254740991" (update page, "Body"; facts, "Update"). Success answers
  `{"conversation": {...}}` with the fields of the update page's example.
- `GET /api/conversations` lists `{conversations[], total, page, limit}`, sorted by
  `last_message_at` descending, with no side effects (facts, "Read").
- `GET /api/conversations/{id}` answers `{conversation, messages[], ...}` and resets
  `unread_count` to 0 (facts, "Read"; update page, `unread_count`: "opening the
  conversation via getConversation already resets it to 0").
- `GET /api/conversations/{id}/messages?page&limit`: `limit` defaults to 50, at most 200,
  no side effects (facts, "Read").

Inferred (the docs do not say; decided here):

- The list's page size is 50 whatever the request says. The answer carries `limit`,
  but the docs name no request parameter for it, so the emulator invents none and a
  client must take the page size from the answer; 50 is borrowed from the documented
  default of the messages endpoint. The list is paged by `?page` (default 1), the
  name the answer and the messages endpoint use. It holds only the caller's
  conversations, as ownership is enforced on every id; a null `last_message_at` sorts
  last.
- Status codes and bodies the docs leave open: a missing or unknown token is 401; an
  id outside the pattern is 400; a `page` or `limit` that is not a positive integer,
  or a messages `limit` over 200, is 400; errors are `{"error": "<message>"}`. Checks
  run in this order: token, id pattern, ownership, body.
- An `unread_count` that is not an integer in range (a float, a boolean, a string,
  null) is 400 even beside a valid `status`: "Required range" is read as a validation
  rule; the docs say only of `status` that bad values are dropped. A `status` that is
  not a string (null, a list, an object) is such a bad value.
- Ids compare case-insensitively (the pattern admits upper-case hex; RFC 9562 UUIDs
  are case-insensitive). A successful PATCH sets `updated_at` to the current time.
- The `messages` answer is `{messages[], page, limit}`. No rate limit is emulated (the
  facts document only that a 429 carries `Retry-After`, not when it is sent).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inboxgraph.sandbox.common import bearer_token, json_body, json_response, utc_now_iso

SANDBOX_TOKEN = "sandbox-puffle-token"
#: The doc's `id` path parameter: "Pattern: ^(...)$", matched whole.
ID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff"
)
#: The doc's `unread_count`: "Required range: 0 <= x <= 9007199254740991".
MAX_UNREAD_COUNT = 9007199254740991
STATUSES = frozenset({"active", "archived"})
#: The messages endpoint's documented `limit`: default 50, max 200.
MESSAGES_DEFAULT_LIMIT = 50
MESSAGES_MAX_LIMIT = 200
#: Inferred (see the module docstring): the list's page size, not settable by the caller.
LIST_PAGE_SIZE = 50


class PuffleState:
    """Conversations and messages of every account; the sandbox token acts as one of them."""

    def __init__(self) -> None:
        self.conversations = {c["id"]: c for c in seed_conversations()}
        self.messages = seed_messages()
        self.tokens = {SANDBOX_TOKEN: SANDBOX_USER_ID}


def _error(status: int, message: str) -> JSONResponse:
    return json_response({"error": message}, status)


def create_app(state: PuffleState | None = None) -> Starlette:
    state = state or PuffleState()

    def caller(request: Request) -> str | None:
        token = bearer_token(request)
        return state.tokens.get(token) if token else None

    def owned(request: Request) -> dict[str, Any] | Response:
        """The caller's conversation named in the path, or the error Puffle answers."""
        user_id = caller(request)
        if user_id is None:
            return _error(401, "Unauthorized")
        conversation_id = request.path_params["id"]
        if not ID_PATTERN.fullmatch(conversation_id):
            return _error(400, "id must be a UUID")
        conversation = state.conversations.get(conversation_id.lower())
        if conversation is None or conversation["user_id"] != user_id:
            # Ownership is enforced: another account's conversation looks missing.
            return _error(404, "Conversation not found")
        return conversation

    async def list_conversations(request: Request) -> Response:
        user_id = caller(request)
        if user_id is None:
            return _error(401, "Unauthorized")
        page = _positive_int(request, "page", 1)
        if page is None:
            return _error(400, "page must be a positive integer")
        mine = [c for c in state.conversations.values() if c["user_id"] == user_id]
        mine.sort(key=lambda c: c["last_message_at"] or "", reverse=True)
        start = (page - 1) * LIST_PAGE_SIZE
        return json_response(
            {
                "conversations": [dict(c) for c in mine[start : start + LIST_PAGE_SIZE]],
                "total": len(mine),
                "page": page,
                "limit": LIST_PAGE_SIZE,
            }
        )

    async def get_conversation(request: Request) -> Response:
        conversation = owned(request)
        if isinstance(conversation, Response):
            return conversation
        # Documented side effect: opening a conversation marks it read.
        conversation["unread_count"] = 0
        messages = [m for m in state.messages if m["conversation_id"] == conversation["id"]]
        return json_response({"conversation": dict(conversation), "messages": messages})

    async def list_messages(request: Request) -> Response:
        conversation = owned(request)
        if isinstance(conversation, Response):
            return conversation
        page = _positive_int(request, "page", 1)
        limit = _positive_int(request, "limit", MESSAGES_DEFAULT_LIMIT)
        if page is None or limit is None or limit > MESSAGES_MAX_LIMIT:
            return _error(400, f"page must be >= 1 and limit in 1..{MESSAGES_MAX_LIMIT}")
        messages = [m for m in state.messages if m["conversation_id"] == conversation["id"]]
        start = (page - 1) * limit
        return json_response(
            {"messages": messages[start : start + limit], "page": page, "limit": limit}
        )

    async def update_conversation(request: Request) -> Response:
        conversation = owned(request)
        if isinstance(conversation, Response):
            return conversation
        ok, body = await json_body(request)
        if not ok or not isinstance(body, dict):
            return _error(400, "At least one valid field (status or unread_count) is required")
        changes: dict[str, Any] = {}
        status = body.get("status")
        if isinstance(status, str) and status in STATUSES:
            changes["status"] = status
        if "unread_count" in body:
            count = body["unread_count"]
            if (
                not isinstance(count, int)
                or isinstance(count, bool)
                or not 0 <= count <= MAX_UNREAD_COUNT
            ):
                return _error(400, f"unread_count must be an integer in 0..{MAX_UNREAD_COUNT}")
            changes["unread_count"] = count
        if not changes:
            return _error(400, "At least one valid field (status or unread_count) is required")
        conversation.update(changes, updated_at=utc_now_iso())
        return json_response({"conversation": dict(conversation)})

    return Starlette(
        routes=[
            Route("/api/conversations", list_conversations, methods=["GET"]),
            Route("/api/conversations/{id}", get_conversation, methods=["GET"]),
            Route("/api/conversations/{id}", update_conversation, methods=["PATCH"]),
            Route("/api/conversations/{id}/messages", list_messages, methods=["GET"]),
        ]
    )


def _positive_int(request: Request, name: str, default: int) -> int | None:
    """The query parameter `name` as a positive integer (`default` when absent), or None."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 1 else None


# --- The records a fresh emulator holds (SANDBOX.md) ---

SANDBOX_USER_ID = "11111111-1111-1111-1111-111111111111"

OTHER_USER_ID = "22222222-2222-2222-2222-222222222222"


def seed_conversations() -> list[dict[str, Any]]:
    return [
        {
            "id": "f11e8a2c-1234-4567-89ab-cdef01234567",
            "user_id": SANDBOX_USER_ID,
            "account_id": "aaaa1111-1111-1111-1111-111111111111",
            "channel": "linkedin",
            "status": "active",
            "external_id": "unipile_chat_abc123",
            "participant_name": "Jane Doe",
            "participant_email": None,
            "participant_linkedin_url": "https://linkedin.com/in/jane",
            "last_message_at": "2026-04-22T09:12:00Z",
            "unread_count": 3,
            "created_at": "2026-04-20T15:00:00Z",
            "updated_at": "2026-04-22T10:00:00Z",
        },
        {
            "id": "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002",
            "user_id": OTHER_USER_ID,
            "account_id": "bbbb2222-2222-2222-2222-222222222222",
            "channel": "email",
            "status": "active",
            "external_id": "agentmail_thread_xyz789",
            "participant_name": "John Roe",
            "participant_email": "john@example.com",
            "participant_linkedin_url": None,
            "last_message_at": "2026-04-21T08:00:00Z",
            "unread_count": 1,
            "created_at": "2026-04-19T12:00:00Z",
            "updated_at": "2026-04-21T08:00:00Z",
        },
    ]


def seed_messages() -> list[dict[str, Any]]:
    return [
        {
            "id": "5a0c7c1e-0000-4000-8000-000000000001",
            "conversation_id": "f11e8a2c-1234-4567-89ab-cdef01234567",
            "direction": "inbound",
            "body": "Hi! Thanks for reaching out.",
            "sent_at": "2026-04-22T09:12:00Z",
        }
    ]
