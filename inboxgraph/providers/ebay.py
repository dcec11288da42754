"""eBay Commerce Message: `POST /update_conversation` with a conversationStatus or a read flag."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

from inboxgraph.domain.ebay import (
    EbayConversation,
    EbayConversationRef,
    EbayConversationStatus,
    EbayConversationType,
    EbayConversationUpdate,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import ErrorDetails, InvalidInput

#: eBay's errorId for "Invalid or unrecognized conversation_id value" (a REQUEST error).
UNKNOWN_CONVERSATION_ERROR_ID = "355007"
#: eBay's errorId for an internal error of the Message API.
INTERNAL_ERROR_ID = "335000"
#: getConversations' largest page.
LIST_PAGE_SIZE = 50


class EbayAdapter(ProviderAdapter[EbayConversationUpdate, EbayConversation, EbayConversationRef]):
    provider: ClassVar[Provider] = Provider.EBAY
    display_name: ClassVar[str] = "eBay"
    input_name: ClassVar[str] = "ebay"
    default_base_url: ClassVar[str] = "https://api.ebay.com/commerce/message/v1"

    def check_rules(self, update: EbayConversationUpdate) -> None:
        if not update.conversation_id.strip():
            raise InvalidInput("ebay.conversationId", "must not be blank")
        if update.conversation_status is None and update.read is None:
            raise InvalidInput(
                "ebay",
                "give exactly one of conversationStatus and read (eBay updates one of them "
                "per request)",
            )
        if update.conversation_status is not None and update.read is not None:
            raise InvalidInput(
                "ebay.conversationStatus",
                "eBay silently ignores conversationStatus when read is given; "
                "send two updates, one with conversationStatus and one with read",
            )

    def build_update(self, update: EbayConversationUpdate) -> UpstreamRequest:
        body: dict[str, Any] = {
            "conversationId": update.conversation_id,
            "conversationType": update.conversation_type.value,
        }
        if update.conversation_status is not None:
            body["conversationStatus"] = update.conversation_status.value
        if update.read is not None:
            body["read"] = update.read
        return UpstreamRequest(
            "POST",
            "/update_conversation",
            json=body,
            headers={"Content-Type": "application/json"},
        )

    def parse_update(
        self, update: EbayConversationUpdate, response: UpstreamResponse
    ) -> EbayConversation:
        # eBay answers 204 No Content: the conversation is what the update set.
        return EbayConversation(
            id=update.conversation_id,
            conversation_type=update.conversation_type,
            conversation_status=update.conversation_status,
            read=update.read,
        )

    async def read_conversations(
        self, refs: Sequence[EbayConversationRef], fetch: Fetch
    ) -> Mapping[EbayConversationRef, EbayConversation]:
        """Page through `GET /conversation` per conversation type (types in parallel) until
        every ref is found.

        The listing has no side effects, and its `unreadCount` tells the read state
        (eBay has no read flag on a conversation).
        """
        wanted: dict[EbayConversationType, set[EbayConversationRef]] = defaultdict(set)
        for ref in refs:
            wanted[ref.conversation_type].add(ref)
        found: dict[EbayConversationRef, EbayConversation] = {}

        async def read_type(
            conversation_type: EbayConversationType, type_refs: set[EbayConversationRef]
        ) -> None:
            offset = 0
            while any(ref not in found for ref in type_refs):
                response = await fetch(
                    UpstreamRequest(
                        "GET",
                        "/conversation",
                        params={
                            "conversation_type": conversation_type.value,
                            "limit": str(LIST_PAGE_SIZE),
                            "offset": str(offset),
                        },
                    )
                )
                page = response.json()
                for detail in page["conversations"]:
                    ref = EbayConversationRef(detail["conversationId"], conversation_type)
                    if ref in type_refs:
                        found[ref] = EbayConversation(
                            id=ref.id,
                            conversation_type=conversation_type,
                            conversation_status=EbayConversationStatus(
                                detail["conversationStatus"]
                            ),
                            read=int(detail["unreadCount"]) == 0,
                        )
                offset += LIST_PAGE_SIZE
                if not page["conversations"] or offset >= int(page["total"]):
                    return

        await asyncio.gather(*(read_type(t, r) for t, r in wanted.items()))
        return found

    def target(self, update: EbayConversationUpdate) -> Hashable:
        return (update.conversation_id, update.conversation_type)

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        error = _first_error(body)
        if error is None:
            return ErrorDetails()
        error_id = _error_id(error.get("errorId"))
        message = error.get("message") if isinstance(error.get("message"), str) else None
        if error_id == UNKNOWN_CONVERSATION_ERROR_ID:
            return ErrorDetails(UpdateErrorCode.NOT_FOUND, error_id, message, retryable=False)
        if error_id == INTERNAL_ERROR_ID:
            return ErrorDetails(
                UpdateErrorCode.UPSTREAM_UNAVAILABLE, error_id, message, retryable=True
            )
        return ErrorDetails(provider_code=error_id, message=message)


def _first_error(body: Any) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    first: dict[str, Any] = errors[0]
    return first


def _error_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
