"""Emulator of eBay's Commerce Message API (https://api.ebay.com/commerce/message/v1).

Faithful to the documented semantics:

- OAuth: a missing token is 400 (errorId 1002), a non-Bearer scheme 400 (1003), an
  unknown token 401 (1001), a token without the commerce.message scope 403 (1100),
  as eBay's common REST errors list them.
- `POST /update_conversation` needs a JSON body with the conversation's existing
  conversationType (else 400, 355002) and a conversationId of that type (an unknown
  id, a missing id and a type mismatch are all 400, 355007). When `read` is given,
  conversationStatus is ignored; otherwise conversationStatus must be ACTIVE, ARCHIVE
  or DELETE (else 400, 355001). Success is 204 with no body.
- `POST /bulk_update_conversation` takes 1..10 conversations and answers 200 with an
  `updateStatus` per conversation: a failing entry never fails the others.
- `GET /conversation` and `GET /conversation/{conversation_id}` page with limit
  (default 25, max 50) and offset, need `conversation_type`, and change nothing.

A conversation's read state is its messages' `readStatus`: marking it read reads every
message, marking it unread unreads its latest message; `unreadCount` counts the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inboxgraph.sandbox.common import json_body, json_response

SANDBOX_TOKEN = "sandbox-ebay-token"
#: A valid token that was granted without the commerce.message scope.
SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE = "sandbox-ebay-token-without-message-scope"
MESSAGE_SCOPE = "https://api.ebay.com/oauth/api_scope/commerce.message"
API_PREFIX = "/commerce/message/v1"

CONVERSATION_TYPES = frozenset({"FROM_MEMBERS", "FROM_EBAY"})
CONVERSATION_STATUSES = frozenset({"ACTIVE", "ARCHIVE", "DELETE"})
READ_STATES = frozenset({"READ", "UNREAD"})
BULK_MAX_CONVERSATIONS = 10
PAGE_DEFAULT_LIMIT = 25
PAGE_MAX_LIMIT = 50

SANDBOX_USERNAME = "sandbox_seller"
SEED_CREATED_DATE = "2026-04-22T09:12:00.000Z"

Record = dict[str, Any]


@dataclass(frozen=True)
class EbayError:
    """One entry of eBay's `{"errors": [...]}` body and the HTTP status it comes with."""

    status: int
    error_id: int
    domain: str
    category: str
    message: str

    def response(self) -> JSONResponse:
        error = {
            "errorId": self.error_id,
            "domain": self.domain,
            "category": self.category,
            "message": self.message,
        }
        return json_response({"errors": [error]}, self.status)


MISSING_TOKEN = EbayError(400, 1002, "OAuth", "REQUEST", "Missing access token")
INVALID_TOKEN_TYPE = EbayError(
    400, 1003, "OAuth", "REQUEST", "Token type in the Authorization header is invalid"
)
INVALID_TOKEN = EbayError(401, 1001, "OAuth", "REQUEST", "Invalid access token")
ACCESS_DENIED = EbayError(
    403, 1100, "ACCESS", "REQUEST", "Access denied: Insufficient permissions to fulfill the request"
)
INVALID_REQUEST = EbayError(400, 2004, "ACCESS", "REQUEST", "Invalid request")
INVALID_STATUS = EbayError(
    400,
    355001,
    "API_MESSAGE",
    "REQUEST",
    "Invalid conversationStatus value. Please see documentation for valid values.",
)
INVALID_TYPE = EbayError(
    400,
    355002,
    "API_MESSAGE",
    "REQUEST",
    "Invalid conversationType value. Please see documentation for valid values.",
)
UNKNOWN_CONVERSATION = EbayError(
    400, 355007, "API_MESSAGE", "REQUEST", "Invalid or unrecognized conversation_id value."
)


class EbayState:
    """The sandbox account's conversations; each token maps to the OAuth scopes it carries."""

    def __init__(self, records: Iterable[Record] | None = None) -> None:
        source = seed_conversations() if records is None else records
        self.conversations: dict[str, Record] = {
            record["conversationId"]: _conversation(record) for record in source
        }
        self.tokens: dict[str, frozenset[str]] = {
            SANDBOX_TOKEN: frozenset({MESSAGE_SCOPE}),
            SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE: frozenset(
                {"https://api.ebay.com/oauth/api_scope"}
            ),
        }

    def find(self, conversation_id: Any, conversation_type: str) -> Record | None:
        """The conversation with this id, only when it has this (existing) type."""
        if not isinstance(conversation_id, str):
            return None
        conversation = self.conversations.get(conversation_id)
        if conversation is None or conversation["conversationType"] != conversation_type:
            return None
        return conversation


def create_app(state: EbayState | None = None) -> Starlette:
    state = state or EbayState()

    def refusal(request: Request) -> EbayError | None:
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        if not scheme:
            return MISSING_TOKEN
        if scheme.lower() != "bearer":
            return dataclasses.replace(
                INVALID_TOKEN_TYPE, message=f"{INVALID_TOKEN_TYPE.message}: {scheme}"
            )
        if not token.strip():
            return MISSING_TOKEN
        scopes = state.tokens.get(token.strip())
        if scopes is None:
            return INVALID_TOKEN
        if MESSAGE_SCOPE not in scopes:
            return ACCESS_DENIED
        return None

    async def update_conversation(request: Request) -> Response:
        if (refused := refusal(request)) is not None:
            return refused.response()
        body = await _json_object(request)
        if body is None:
            return INVALID_REQUEST.response()
        conversation_type = body.get("conversationType")
        if not _one_of(conversation_type, CONVERSATION_TYPES):
            return INVALID_TYPE.response()
        conversation = state.find(body.get("conversationId"), conversation_type)
        if conversation is None:
            return UNKNOWN_CONVERSATION.response()
        read = body.get("read")
        if read is not None:
            if not isinstance(read, bool):
                return INVALID_REQUEST.response()
            # Documented: with read given, conversationStatus is ignored, valid or not.
            _mark_read(conversation, read)
            return Response(status_code=204)
        status = body.get("conversationStatus")
        if not _one_of(status, CONVERSATION_STATUSES):
            return INVALID_STATUS.response()
        conversation["conversationStatus"] = status
        return Response(status_code=204)

    def apply_bulk_entry(entry: Record) -> bool:
        conversation_type = entry.get("conversationType")
        status = entry.get("conversationStatus")
        if not _one_of(conversation_type, CONVERSATION_TYPES):
            return False
        if not _one_of(status, CONVERSATION_STATUSES | READ_STATES):
            return False
        conversation = state.find(entry.get("conversationId"), conversation_type)
        if conversation is None:
            return False
        if status in READ_STATES:
            _mark_read(conversation, status == "READ")
        else:
            conversation["conversationStatus"] = status
        return True

    async def bulk_update_conversation(request: Request) -> Response:
        if (refused := refusal(request)) is not None:
            return refused.response()
        body = await _json_object(request)
        entries = None if body is None else body.get("conversations")
        if (
            not isinstance(entries, list)
            or not entries
            or not all(isinstance(entry, dict) for entry in entries)
        ):
            return INVALID_REQUEST.response()
        if len(entries) > BULK_MAX_CONVERSATIONS:
            return dataclasses.replace(
                INVALID_REQUEST,
                message=(
                    f"Invalid request: at most {BULK_MAX_CONVERSATIONS} conversations "
                    "can be updated at a time"
                ),
            ).response()
        outcomes = [
            {
                "conversationId": entry.get("conversationId"),
                "updateStatus": "SUCCESSFUL" if apply_bulk_entry(entry) else "FAILURE",
            }
            for entry in entries
        ]
        succeeded = sum(1 for outcome in outcomes if outcome["updateStatus"] == "SUCCESSFUL")
        return json_response(
            {
                "conversationsMetadata": {
                    "totalConversationsCount": len(outcomes),
                    "updateSuccessCount": succeeded,
                    "updateFailureCount": len(outcomes) - succeeded,
                },
                "conversationsResponse": outcomes,
            }
        )

    async def get_conversations(request: Request) -> Response:
        if (refused := refusal(request)) is not None:
            return refused.response()
        conversation_type = request.query_params.get("conversation_type")
        if not _one_of(conversation_type, CONVERSATION_TYPES):
            return INVALID_TYPE.response()
        status = request.query_params.get("conversation_status")
        if status is not None and not _one_of(status, CONVERSATION_STATUSES):
            return INVALID_STATUS.response()
        page = _page(request)
        if page is None:
            return INVALID_REQUEST.response()
        matching = [
            c
            for c in state.conversations.values()
            if c["conversationType"] == conversation_type
            and (status is None or c["conversationStatus"] == status)
        ]
        matching.sort(key=_last_activity, reverse=True)
        limit, offset = page
        return json_response(
            {
                "conversations": [_detail(c) for c in matching[offset : offset + limit]],
                **_page_links(request, limit, offset, len(matching)),
            }
        )

    async def get_conversation(request: Request) -> Response:
        if (refused := refusal(request)) is not None:
            return refused.response()
        conversation_type = request.query_params.get("conversation_type")
        if not _one_of(conversation_type, CONVERSATION_TYPES):
            return INVALID_TYPE.response()
        page = _page(request)
        if page is None:
            return INVALID_REQUEST.response()
        conversation = state.find(request.path_params["conversation_id"], conversation_type)
        if conversation is None:
            return UNKNOWN_CONVERSATION.response()
        limit, offset = page
        messages = conversation["messages"]
        return json_response(
            {
                "conversationStatus": conversation["conversationStatus"],
                "conversationTitle": conversation["conversationTitle"],
                "conversationType": conversation["conversationType"],
                "messages": [dict(m) for m in messages[offset : offset + limit]],
                **_page_links(request, limit, offset, len(messages)),
            }
        )

    return Starlette(
        routes=[
            Route(f"{API_PREFIX}/update_conversation", update_conversation, methods=["POST"]),
            Route(
                f"{API_PREFIX}/bulk_update_conversation",
                bulk_update_conversation,
                methods=["POST"],
            ),
            Route(f"{API_PREFIX}/conversation", get_conversations, methods=["GET"]),
            Route(
                f"{API_PREFIX}/conversation/{{conversation_id}}", get_conversation, methods=["GET"]
            ),
        ]
    )


def _conversation(record: Record) -> Record:
    """Emulator state for a seed record: the record plus a title and an opening message."""
    conversation_id = record["conversationId"]
    from_ebay = record["conversationType"] == "FROM_EBAY"
    title = "A message from eBay" if from_ebay else "Question about your listing"
    return {
        "conversationId": conversation_id,
        "conversationType": record["conversationType"],
        "conversationStatus": record["conversationStatus"],
        "conversationTitle": title,
        "createdDate": SEED_CREATED_DATE,
        "messages": [
            {
                "messageId": f"{conversation_id}-1",
                "createdDate": SEED_CREATED_DATE,
                "subject": title,
                "messageBody": (
                    "Your listing is live." if from_ebay else "Hi! Is this item still available?"
                ),
                "senderUsername": "eBay" if from_ebay else "sandbox_buyer",
                "recipientUsername": SANDBOX_USERNAME,
                "readStatus": bool(record["read"]),
                "messageMedia": [],
            }
        ],
    }


def _mark_read(conversation: Record, read: bool) -> None:
    messages = conversation["messages"]
    if read:
        for message in messages:
            message["readStatus"] = True
    elif messages:
        messages[-1]["readStatus"] = False


def _detail(conversation: Record) -> Record:
    """eBay's ConversationDetail for the getConversations listing."""
    messages = conversation["messages"]
    detail = {
        "conversationId": conversation["conversationId"],
        "conversationStatus": conversation["conversationStatus"],
        "conversationTitle": conversation["conversationTitle"],
        "conversationType": conversation["conversationType"],
        "createdDate": conversation["createdDate"],
        "unreadCount": sum(1 for m in messages if not m["readStatus"]),
    }
    if messages:
        detail["latestMessage"] = dict(messages[-1])
    return detail


def _last_activity(conversation: Record) -> str:
    messages = conversation["messages"]
    return str(messages[-1]["createdDate"] if messages else conversation["createdDate"])


def _one_of(value: Any, allowed: frozenset[str]) -> TypeGuard[str]:
    return isinstance(value, str) and value in allowed


async def _json_object(request: Request) -> Record | None:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        return None
    ok, body = await json_body(request)
    return body if ok and isinstance(body, dict) else None


def _page(request: Request) -> tuple[int, int] | None:
    """(limit, offset) from the query, or None when either is not a valid integer."""
    try:
        limit = int(request.query_params.get("limit", str(PAGE_DEFAULT_LIMIT)))
        offset = int(request.query_params.get("offset", "0"))
    except ValueError:
        return None
    if not 1 <= limit <= PAGE_MAX_LIMIT or offset < 0:
        return None
    return limit, offset


def _page_links(request: Request, limit: int, offset: int, total: int) -> Record:
    links: Record = {"href": str(request.url), "limit": limit, "offset": offset, "total": total}
    if offset + limit < total:
        links["next"] = str(request.url.include_query_params(limit=limit, offset=offset + limit))
    if offset > 0:
        links["prev"] = str(
            request.url.include_query_params(limit=limit, offset=max(0, offset - limit))
        )
    return links


# --- The records a fresh emulator holds (SANDBOX.md) ---


def seed_conversations() -> list[Record]:
    return [
        {
            "conversationId": "1000000000001",
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ACTIVE",
            "read": False,
        },
        {
            "conversationId": "1000000000002",
            "conversationType": "FROM_EBAY",
            "conversationStatus": "ACTIVE",
            "read": False,
        },
    ]
