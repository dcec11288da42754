"""eBay's Commerce Message API: `POST /commerce/message/v1/update_conversation`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from inboxgraph.domain.provider import Conversation, ConversationRef, ConversationUpdate, Provider


class EbayConversationType(Enum):
    FROM_MEMBERS = "FROM_MEMBERS"
    FROM_EBAY = "FROM_EBAY"


class EbayConversationStatus(Enum):
    ACTIVE = "ACTIVE"
    ARCHIVE = "ARCHIVE"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class EbayConversationUpdate(ConversationUpdate):
    provider: ClassVar[Provider] = Provider.EBAY
    conversation_id: str
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None = None
    read: bool | None = None


@dataclass(frozen=True, slots=True)
class EbayConversation(Conversation):
    provider: ClassVar[Provider] = Provider.EBAY
    id: str
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None
    read: bool | None


@dataclass(frozen=True, slots=True)
class EbayConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.EBAY
    id: str
    conversation_type: EbayConversationType
