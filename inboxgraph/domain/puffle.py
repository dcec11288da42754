"""Puffle's prospecting inbox (LinkedIn, email): `PATCH /api/conversations/{id}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import ClassVar

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


@dataclass(frozen=True, slots=True)
class PuffleConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.PUFFLE
    id: str
