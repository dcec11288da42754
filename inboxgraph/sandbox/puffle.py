"""Emulator of Puffle's conversation API (https://app.puffle.ai).

Faithful to the documented semantics: bearer auth; ownership (another account's
conversation is a 404, exactly like a missing one); unknown `status` values are
silently dropped; an empty or all-invalid PATCH body is a 400; and
`GET /api/conversations/{id}` resets `unread_count` to 0, while the list and messages
endpoints have no side effects.
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
MESSAGES_DEFAULT_LIMIT = 50
MESSAGES_MAX_LIMIT = 200


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
        page, limit = _page_and_limit(request, default_limit=MESSAGES_DEFAULT_LIMIT)
        if page is None or limit is None:
            return _error(400, "page and limit must be positive integers")
        mine = [c for c in state.conversations.values() if c["user_id"] == user_id]
        mine.sort(key=lambda c: c["last_message_at"] or "", reverse=True)
        start = (page - 1) * limit
        return json_response(
            {
                "conversations": [dict(c) for c in mine[start : start + limit]],
                "total": len(mine),
                "page": page,
                "limit": limit,
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
        page, limit = _page_and_limit(request, default_limit=MESSAGES_DEFAULT_LIMIT)
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
        if body.get("status") in STATUSES:
            changes["status"] = body["status"]
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


def _page_and_limit(request: Request, *, default_limit: int) -> tuple[int | None, int | None]:
    try:
        page = int(request.query_params.get("page", "1"))
        limit = int(request.query_params.get("limit", str(default_limit)))
    except ValueError:
        return None, None
    if page < 1 or limit < 1:
        return None, None
    return page, limit


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
