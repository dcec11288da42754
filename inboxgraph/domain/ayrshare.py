"""Ayrshare's social inbox (Facebook, Instagram, X/Twitter): `PUT /api/messages/{platform}/{id}`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction, Unsupported
from inboxgraph.domain.provider import Conversation, ConversationRef, ConversationUpdate, Provider


class AyrsharePlatform(Enum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TWITTER = "twitter"


class AyrshareConversationStatus(Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class AyrshareConversationUpdate(ConversationUpdate):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    platform: AyrsharePlatform
    conversation_id: str
    status: AyrshareConversationStatus
    #: The user profile to act for (the `Profile-Key` header); None acts for the primary one.
    profile_key: str | None = None

    @property
    def safe_to_repeat(self) -> bool:
        """Setting a status: a second time sets the same status."""
        return True


@dataclass(frozen=True, slots=True)
class AyrshareConversation(Conversation):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    platform: AyrsharePlatform
    id: str
    status: AyrshareConversationStatus

    @property
    def archived(self) -> bool:
        return self.status is AyrshareConversationStatus.ARCHIVED

    #: Ayrshare's messages API tells no read, spam or deleted state of a conversation.
    read = spam = deleted = None

    def ref(self) -> AyrshareConversationRef:
        return AyrshareConversationRef(platform=self.platform, id=self.id)


@dataclass(frozen=True, slots=True)
class AyrshareConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    platform: AyrsharePlatform
    id: str

    def update_for(self, action: ConversationAction) -> AyrshareConversationUpdate | Unsupported:
        """Ayrshare sets a conversation's status, active or archived (for the primary profile:
        a reference names no user profile)."""
        statuses = {
            ConversationAction.ARCHIVE: AyrshareConversationStatus.ARCHIVED,
            ConversationAction.UNARCHIVE: AyrshareConversationStatus.ACTIVE,
        }
        if action not in statuses:
            return Unsupported(
                "Ayrshare's messages API sets only a conversation's status (archived or active)"
            )
        return AyrshareConversationUpdate(self.platform, self.id, statuses[action])
