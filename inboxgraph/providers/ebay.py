"""eBay Commerce Message: a conversationStatus or a read flag, set in bulk.

Updates go through `POST /bulk_update_conversation`, up to 10 a call, each as a
`conversationStatus` of ACTIVE, ARCHIVE or DELETE, or READ/UNREAD for the read flag. eBay
answers an `updateStatus` per conversation (partial success is normal) in an order it does
not document, so answers are matched to updates by `conversationId` (which is why two
updates of one id never share a call); success is spelled SUCCESSFUL on the method's page
and SUCCESS on the type's, and both are accepted. An update without an answer is not known
to be applied. `POST /update_conversation` (one update, 204 with no body) stays the
single-update form of the adapter interface.
"""

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
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError

#: eBay's errorId for "Invalid or unrecognized conversation_id value" (a REQUEST error).
UNKNOWN_CONVERSATION_ERROR_ID = "355007"
#: eBay's errorId for an internal error of the Message API.
INTERNAL_ERROR_ID = "335000"
#: getConversations' largest page.
LIST_PAGE_SIZE = 50
#: bulkUpdateConversation's most conversations a call.
BULK_MAX_CONVERSATIONS = 10
#: updateStatus values meaning the conversation was updated (the method page says
#: SUCCESSFUL, the type page SUCCESS) and that it was not.
BULK_SUCCESS = frozenset({"SUCCESSFUL", "SUCCESS"})
BULK_FAILURE = "FAILURE"
BULK_PATH = "/bulk_update_conversation"


class EbayAdapter(ProviderAdapter[EbayConversationUpdate, EbayConversation, EbayConversationRef]):
    provider: ClassVar[Provider] = Provider.EBAY
    display_name: ClassVar[str] = "eBay"
    input_name: ClassVar[str] = "ebay"
    default_base_url: ClassVar[str] = "https://api.ebay.com/commerce/message/v1"
    max_batch_size: ClassVar[int] = BULK_MAX_CONVERSATIONS

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

    def batch_key(self, update: EbayConversationUpdate) -> Hashable | None:
        if (update.conversation_status is None) == (update.read is None):
            return None
        return update.conversation_id

    def build_batch(self, updates: Sequence[EbayConversationUpdate]) -> UpstreamRequest:
        return UpstreamRequest(
            "POST",
            BULK_PATH,
            json={"conversations": [_bulk_entry(update) for update in updates]},
            headers={"Content-Type": "application/json"},
        )

    def parse_batch(
        self, updates: Sequence[EbayConversationUpdate], response: UpstreamResponse
    ) -> list[EbayConversation | ProviderError]:
        answers = response.json()["conversationsResponse"]
        if not isinstance(answers, list):
            raise TypeError("conversationsResponse is not a list")
        statuses: dict[str, str | None] = {}
        for answer in answers:
            if not isinstance(answer, dict) or not isinstance(answer.get("conversationId"), str):
                continue
            status = answer.get("updateStatus")
            status = status.strip().upper() if isinstance(status, str) else None
            conversation_id = answer["conversationId"]
            # Two different answers for one id tell nothing about it.
            seen = statuses.setdefault(conversation_id, status)
            if seen != status:
                statuses[conversation_id] = None
        return [
            _bulk_result(update, statuses.get(update.conversation_id), response.status)
            for update in updates
        ]

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


def _bulk_entry(update: EbayConversationUpdate) -> dict[str, str]:
    if update.read is not None:
        status = "READ" if update.read else "UNREAD"
    else:
        assert update.conversation_status is not None  # batch_key let only these through
        status = update.conversation_status.value
    return {
        "conversationId": update.conversation_id,
        "conversationType": update.conversation_type.value,
        "conversationStatus": status,
    }


def _bulk_result(
    update: EbayConversationUpdate, status: str | None, http_status: int
) -> EbayConversation | ProviderError:
    """One update's result from its `updateStatus` in eBay's bulk answer (None: none,
    or contradictory ones)."""
    if status in BULK_SUCCESS:
        return EbayConversation(
            id=update.conversation_id,
            conversation_type=update.conversation_type,
            conversation_status=update.conversation_status,
            read=update.read,
        )
    if status == BULK_FAILURE:
        return ProviderError(
            UpdateErrorCode.UPSTREAM_ERROR,
            "eBay's bulk update (POST /bulk_update_conversation) answered updateStatus "
            "FAILURE for this conversation, and says no more (an unknown conversationId, or "
            "a conversationType that is not the conversation's own, is answered so)",
            provider_status=http_status,
            retryable=False,
        )
    told = "no updateStatus" if status is None else f"the updateStatus {status!r}, unknown"
    return ProviderError(
        UpdateErrorCode.UNCONFIRMED,
        f"eBay's bulk update (POST /bulk_update_conversation) answered HTTP {http_status} "
        f"with {told} for this conversation; the update may have been applied: read the "
        "conversation before sending it again",
        provider_status=http_status,
        retryable=False,
        may_have_been_applied=True,
    )


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
