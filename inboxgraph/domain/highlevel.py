"""HighLevel (LeadConnector) message status: `PUT /conversations/messages/{messageId}/status`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction, Unsupported
from inboxgraph.domain.provider import Conversation, ConversationRef, ConversationUpdate, Provider


class HighLevelMessageStatus(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"
    READ = "read"


@dataclass(frozen=True, slots=True)
class HighLevelProviderError:
    """The error object a conversation provider reports with a status."""

    code: str
    type: str
    message: str


@dataclass(frozen=True, slots=True)
class HighLevelMessageStatusUpdate(ConversationUpdate):
    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    message_id: str
    status: HighLevelMessageStatus
    error: HighLevelProviderError | None = None
    email_message_id: str | None = None
    recipients: tuple[str, ...] | None = None

    @property
    def safe_to_repeat(self) -> bool:
        """Setting a message's status (and its error and recipients) again sets the same."""
        return True


@dataclass(frozen=True, slots=True)
class HighLevelMessage:
    id: str
    status: HighLevelMessageStatus


@dataclass(frozen=True, slots=True)
class HighLevelConversation(Conversation):
    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    id: str
    #: The message an update set the status of; None when read by reference.
    message: HighLevelMessage | None = None
    #: What `GET /conversations/{id}` tells; None until the conversation is read.
    unread_count: int | None = None
    deleted: bool | None = None

    @property
    def read(self) -> bool | None:
        return None if self.unread_count is None else self.unread_count == 0

    #: HighLevel tells no archived or spam state of a conversation.
    archived = spam = None

    def ref(self) -> HighLevelConversationRef:
        return HighLevelConversationRef(id=self.id)

    @property
    def complete(self) -> bool:
        return self.unread_count is not None

    def completed_by(self, read: Conversation) -> HighLevelConversation:
        if not isinstance(read, HighLevelConversation):
            return self
        return replace(read, message=self.message)


@dataclass(frozen=True, slots=True)
class HighLevelConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    id: str

    def update_for(self, action: ConversationAction) -> Unsupported:
        return Unsupported(
            "HighLevel's API sets a message's delivery status, not a conversation's state: "
            "use updateConversation with highLevel.messageId"
        )
