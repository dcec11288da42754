"""Provider-neutral actions, which each provider's reference maps to its own update."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ConversationAction(Enum):
    ARCHIVE = "ARCHIVE"
    UNARCHIVE = "UNARCHIVE"
    MARK_READ = "MARK_READ"
    MARK_UNREAD = "MARK_UNREAD"
    MARK_SPAM = "MARK_SPAM"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class Unsupported:
    """The provider has no way to do the action; nothing is sent."""

    reason: str
