"""Conversations as each provider describes them: the `Conversation` union of entities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import federation

from inboxgraph.schema.enums import (
    AyrshareConversationStatus,
    AyrsharePlatform,
    EbayConversationStatus,
    EbayConversationType,
    HighLevelMessageStatus,
    PuffleConversationStatus,
)
from inboxgraph.schema.scalars import SafeInt


@federation.type(keys=["platform id"])
class AyrshareConversation:
    platform: AyrsharePlatform
    id: strawberry.ID
    status: AyrshareConversationStatus


@federation.type(keys=["id"])
class PuffleConversation:
    id: strawberry.ID
    status: PuffleConversationStatus
    unread_count: SafeInt
    channel: str
    participant_name: str | None
    last_message_at: datetime | None
    updated_at: datetime


@strawberry.type
class HighLevelMessage:
    id: strawberry.ID
    status: HighLevelMessageStatus


@federation.type(keys=["id"], description="A HighLevel conversation.")
class HighLevelConversation:
    id: strawberry.ID
    message: HighLevelMessage | None = strawberry.field(
        description=(
            "The message whose status an update set; "
            "null when the conversation was resolved by reference."
        )
    )


@federation.type(keys=["uid"])
class VcitaConversation:
    uid: strawberry.ID = strawberry.field(
        description=(
            "The uid of the conversation actually updated "
            "(the merge target when the given uid was merged)."
        )
    )
    archived: bool
    spam: bool
    business_unread: bool
    deleted: bool


@federation.type(
    keys=["id conversationType"],
    description="eBay needs the conversation type to read a conversation, so it is part of the key.",
)
class EbayConversation:
    id: strawberry.ID
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None
    read: bool | None


Conversation = Annotated[
    AyrshareConversation
    | PuffleConversation
    | HighLevelConversation
    | VcitaConversation
    | EbayConversation,
    strawberry.union("Conversation"),
]
