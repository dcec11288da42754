"""Emulator of eBay's Commerce Message API (https://api.ebay.com/commerce/message/v1).

**Documented.** "update doc" is provider-docs/ebay-update-conversation.txt, "facts" is
the "eBay Commerce Message API" list in provider-docs/README.md.

- Every call needs an OAuth user token with the scope
  `https://api.ebay.com/oauth/api_scope/commerce.message` (update doc, "OAuth scope";
  facts: "OAuth user token, scope ..."). update_conversation answers 204, 400, 401,
  403 or 500 (update doc, "HTTP status codes"): a missing, malformed or unknown
  credential is 401 Unauthorized, a token without that scope 403 Forbidden.
- Errors are `{"errors": [{"errorId", "domain", "category", "message"}]}` (facts,
  "Errors:"), with the update doc's error table: 355001 invalid conversationStatus,
  355002 invalid conversationType, 355007 invalid or unrecognized conversation id, all
  domain API_MESSAGE, category REQUEST.
- `POST /update_conversation` takes a JSON body (update doc: "Content-Type ...
  application/json", "Occurrence: Required") with the conversationId and the existing
  conversationType (FROM_MEMBERS, FROM_EBAY), and conversationStatus (ACTIVE, ARCHIVE,
  DELETE) or read. With read given, only the read status changes and conversationStatus
  is ignored ("If both fields are included, only the read status ... will be updated").
  Success is 204 with no payload ("This call has no payload").
- `POST /bulk_update_conversation` (facts, "Bulk:") takes a JSON body
  `{"conversations": [...]}` (Content-Type application/json) of up to 10
  `{conversationId, conversationType, conversationStatus}`, where
  conversationStatus is ACTIVE, ARCHIVE, DELETE, READ or UNREAD, and answers
  `{"conversationsMetadata": {...}, "conversationsResponse": [{"conversationId",
  "updateStatus"}]}`: an updateStatus per conversation, partial success being normal.
  A success is spelled SUCCESSFUL (facts: "The method page says a success is
  SUCCESSFUL") and a failure FAILURE (the type page: "such as SUCCESS or FAILURE"),
  so a client must accept both spellings of success. The metadata's counts are named
  totalConversationsCount, updateSuccessCount and updateFailureCount on eBay's
  ConversationsMetadata page
  (https://developer.ebay.com/api-docs/commerce/message/types/m2m:ConversationsMetadata).
- `GET /conversation` needs `conversation_type` and pages with `limit` (default 25, max
  50) and `offset`; `GET /conversation/{conversation_id}?conversation_type=...` returns
  the conversation's messages (facts, "Read:"). Field names follow eBay's
  ConversationDetail and GetMessagesByConversationIdResponse pages
  (https://developer.ebay.com/api-docs/commerce/message/types/m2m:ConversationDetail,
  https://developer.ebay.com/api-docs/commerce/message/types/m2m:GetMessagesByConversationIdResponse).

**Inferred** (the docs do not say; decided here, and why):

- The errorIds of credential failures: 401 carries 1001 "Invalid access token" and 403
  carries 1100, as eBay's common errors page lists them. That page also answers a
  missing token or a non-Bearer scheme with 400 and 1002/1003; our docs name neither
  errorId and list 401 Unauthorized, so every credential problem is that 401. That a
  missing scope is what the 403 means is read from the update doc (it lists 403 and
  requires the scope without pairing them). The bulk and read routes check
  credentials the same way (their status tables are not in our docs).
- A conversationType other than the conversation's own is 400 with 355007. The update
  doc requires the existing type ("If this value is not provided, an error will occur")
  but names no error for a mismatch. eBay names a conversation by id within a type (its
  reads need conversation_type), so the id is not recognized under the other type:
  355007 "Invalid or unrecognized conversation_id value" is the closest documented
  error; 355002 says the value is not a valid one, which FROM_MEMBERS/FROM_EBAY are.
- The REQUEST errors 355001, 355002 and 355007 are sent with 400 Bad Request (the
  error table names no status; 400 is the documented status for a bad request).
- A missing conversationType is 355002 and a missing or non-string conversationId
  355007 (both are documented as required, with no error named); neither read nor
  conversationStatus is 355001; an invalid conversationStatus next to read is ignored
  like a valid one ("ignored" read literally).
- 400 with errorId 2004 "Invalid request" (eBay's common errors, not our docs) for a
  body that is not a JSON object sent as application/json, a non-boolean read, invalid
  paging, and a bulk body whose `conversations` is not a list of 1 to 10 objects.
- Bulk: the call answers 200 when the body is valid; an entry eBay could not apply
  (unknown id, type invalid or not the conversation's own, invalid status) is FAILURE
  for that entry alone. The order of conversationsResponse is not documented, so the
  emulator answers in reverse request order: a client that pairs answers with items by
  position fails here, not in production.
- State: a conversation's read state is its messages' `readStatus`; marking it read
  reads every message, marking it unread unreads its latest message, `unreadCount`
  counts the unread ones. A DELETE conversation stays listed with that status. Reads
  change nothing; an unknown conversation is 355007, a missing or invalid
  conversation_type 355002, an invalid conversation_status filter 355001.
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

from inboxgraph.sandbox.common import bearer_token, json_body, json_response

SANDBOX_TOKEN = "sandbox-ebay-token"
#: A valid token that was granted without the commerce.message scope.
SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE = "sandbox-ebay-token-without-message-scope"
MESSAGE_SCOPE = "https://api.ebay.com/oauth/api_scope/commerce.message"
API_PREFIX = "/commerce/message/v1"

CONVERSATION_TYPES = frozenset({"FROM_MEMBERS", "FROM_EBAY"})
CONVERSATION_STATUSES = frozenset({"ACTIVE", "ARCHIVE", "DELETE"})
READ_STATES = frozenset({"READ", "UNREAD"})
BULK_MAX_CONVERSATIONS = 10
BULK_SUCCESS = "SUCCESSFUL"
BULK_FAILURE = "FAILURE"
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
        token = bearer_token(request)
        scopes = None if token is None else state.tokens.get(token)
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
        # Applied in request order, answered in reverse: the order is not documented.
        outcomes = [
            {
                "conversationId": entry.get("conversationId"),
                "updateStatus": BULK_SUCCESS if apply_bulk_entry(entry) else BULK_FAILURE,
            }
            for entry in entries
        ]
        succeeded = sum(1 for outcome in outcomes if outcome["updateStatus"] == BULK_SUCCESS)
        return json_response(
            {
                "conversationsMetadata": {
                    "totalConversationsCount": len(outcomes),
                    "updateSuccessCount": succeeded,
                    "updateFailureCount": len(outcomes) - succeeded,
                },
                "conversationsResponse": outcomes[::-1],
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
