"""Puffle's prospecting inbox (LinkedIn, email): `PATCH /api/conversations/{id}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction, Unsupported
from inboxgraph.domain.provider import Conversation, ConversationRef, ConversationUpdate, Provider


class PuffleConversationStatus(Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class PuffleConversationUpdate(ConversationUpdate):
    provider: ClassVar[Provider] = Provider.PUFFLE
    id: str
    status: PuffleConversationStatus | None = None
    unread_count: int | None = None

    @property
    def safe_to_repeat(self) -> bool:
        """Setting a status and an unread count (a value, not an increment)."""
        return True


@dataclass(frozen=True, slots=True)
class PuffleConversation(Conversation):
    provider: ClassVar[Provider] = Provider.PUFFLE
    id: str
    status: PuffleConversationStatus
    unread_count: int
    channel: str
    participant_name: str | None
    last_message_at: datetime | None
    updated_at: datetime

    @property
    def archived(self) -> bool:
        return self.status is PuffleConversationStatus.ARCHIVED

    @property
    def read(self) -> bool:
        return self.unread_count == 0

    #: Puffle tells no spam or deleted state.
    spam = deleted = None

    def ref(self) -> PuffleConversationRef:
        return PuffleConversationRef(id=self.id)


@dataclass(frozen=True, slots=True)
class PuffleConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.PUFFLE
    id: str

    def update_for(self, action: ConversationAction) -> PuffleConversationUpdate | Unsupported:
        """Puffle archives by status and tells read by the unread counter: marking unread
        sets it to 1."""
        if action is ConversationAction.ARCHIVE:
            return PuffleConversationUpdate(self.id, status=PuffleConversationStatus.ARCHIVED)
        if action is ConversationAction.UNARCHIVE:
            return PuffleConversationUpdate(self.id, status=PuffleConversationStatus.ACTIVE)
        if action is ConversationAction.MARK_READ:
            return PuffleConversationUpdate(self.id, unread_count=0)
        if action is ConversationAction.MARK_UNREAD:
            return PuffleConversationUpdate(self.id, unread_count=1)
        return Unsupported("Puffle's update sets only a conversation's status and unread counter")
