"""eBay's Commerce Message API: `POST /commerce/message/v1/update_conversation`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction, Unsupported
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

    @property
    def safe_to_repeat(self) -> bool:
        """Setting a conversationStatus or the read flag again sets the same."""
        return True


@dataclass(frozen=True, slots=True)
class EbayConversation(Conversation):
    provider: ClassVar[Provider] = Provider.EBAY
    id: str
    conversation_type: EbayConversationType
    #: None until known: eBay's update answers nothing, and sets one of the two.
    conversation_status: EbayConversationStatus | None
    read: bool | None

    @property
    def archived(self) -> bool | None:
        status = self.conversation_status
        return None if status is None else status is EbayConversationStatus.ARCHIVE

    @property
    def deleted(self) -> bool | None:
        status = self.conversation_status
        return None if status is None else status is EbayConversationStatus.DELETE

    #: eBay tells no spam state of a conversation.
    spam = None

    def ref(self) -> EbayConversationRef:
        return EbayConversationRef(id=self.id, conversation_type=self.conversation_type)

    @property
    def complete(self) -> bool:
        return self.conversation_status is not None and self.read is not None

    def completed_by(self, read: Conversation) -> EbayConversation:
        if not isinstance(read, EbayConversation):
            return self
        return replace(
            self,
            conversation_status=self.conversation_status or read.conversation_status,
            read=read.read if self.read is None else self.read,
        )


@dataclass(frozen=True, slots=True)
class EbayConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.EBAY
    id: str
    conversation_type: EbayConversationType

    def update_for(self, action: ConversationAction) -> EbayConversationUpdate | Unsupported:
        """eBay sets a conversation's status (active, archive, delete) or its read flag."""
        statuses = {
            ConversationAction.ARCHIVE: EbayConversationStatus.ARCHIVE,
            ConversationAction.UNARCHIVE: EbayConversationStatus.ACTIVE,
            ConversationAction.DELETE: EbayConversationStatus.DELETE,
        }
        reads = {ConversationAction.MARK_READ: True, ConversationAction.MARK_UNREAD: False}
        if action in statuses:
            return EbayConversationUpdate(
                self.id, self.conversation_type, conversation_status=statuses[action]
            )
        if action in reads:
            return EbayConversationUpdate(self.id, self.conversation_type, read=reads[action])
        return Unsupported("eBay's Message API has no spam state for a conversation")
