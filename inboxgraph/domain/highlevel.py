"""HighLevel (LeadConnector) message status: `PUT /conversations/messages/{messageId}/status`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

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


@dataclass(frozen=True, slots=True)
class HighLevelConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    id: str
