"""Ayrshare's social inbox (Facebook, Instagram, X/Twitter): `PUT /api/messages/{platform}/{id}`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

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


@dataclass(frozen=True, slots=True)
class AyrshareConversation(Conversation):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    platform: AyrsharePlatform
    id: str
    status: AyrshareConversationStatus


@dataclass(frozen=True, slots=True)
class AyrshareConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    platform: AyrsharePlatform
    id: str
