"""eBay's GraphQL types: its update input, its reference and its conversation."""

from __future__ import annotations

from typing import ClassVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from inboxgraph.domain import ebay as records
from inboxgraph.domain.provider import Conversation, Provider
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.records import ReadsConversations, RecordView, enum_member

EbayConversationType = records.EbayConversationType
graphql_enum(EbayConversationType)
EbayConversationStatus = records.EbayConversationStatus
graphql_enum(EbayConversationStatus)


@strawberry.input(
    description=(
        "eBay: `POST /commerce/message/v1/bulk_update_conversation`, up to 10 updates a "
        "call. Give exactly one of conversationStatus and read."
    )
)
class EbayConversationUpdate:
    provider: ClassVar[Provider] = Provider.EBAY

    conversation_id: strawberry.ID
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None = None
    read: bool | None = None

    def to_update(self) -> records.EbayConversationUpdate:
        return records.EbayConversationUpdate(
            conversation_id=str(self.conversation_id),
            conversation_type=self.conversation_type,
            conversation_status=self.conversation_status,
            read=self.read,
        )


@strawberry.input
class EbayConversationRef:
    provider: ClassVar[Provider] = Provider.EBAY

    id: strawberry.ID
    conversation_type: EbayConversationType

    def to_ref(self) -> records.EbayConversationRef:
        return records.EbayConversationRef(
            id=str(self.id), conversation_type=self.conversation_type
        )


@federation.type(
    keys=["id conversationType"],
    description="eBay needs the conversation type to read a conversation, so it is part of the key.",
)
class EbayConversation(RecordView, InboxConversation):
    record = records.EbayConversation

    id: strawberry.ID
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None
    read: bool | None

    @classmethod
    async def resolve_reference(
        cls,
        info: Info[ReadsConversations, None],
        id: strawberry.ID,
        conversationType: str,
    ) -> Conversation | None:
        ref = records.EbayConversationRef(
            id=str(id), conversation_type=enum_member(EbayConversationType, conversationType)
        )
        return await info.context.read(ref)
