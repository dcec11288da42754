"""The providers inboxgraph speaks to, how it reaches each, and the base records every
provider's updates, conversations and references derive from."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction, Unsupported


class Provider(Enum):
    AYRSHARE = "AYRSHARE"
    PUFFLE = "PUFFLE"
    HIGHLEVEL = "HIGHLEVEL"
    VCITA = "VCITA"
    EBAY = "EBAY"


class ProviderMode(Enum):
    """How this process reaches a provider."""

    LIVE = "LIVE"
    SANDBOX = "SANDBOX"
    NOT_CONFIGURED = "NOT_CONFIGURED"


class ConversationUpdate:
    """One provider-native update: a frozen record whose class names its provider."""

    __slots__ = ()
    provider: ClassVar[Provider]

    @property
    def safe_to_repeat(self) -> bool:
        """True when sending this update twice changes nothing beyond sending it once, so
        it may be sent again when its first answer was lost."""
        raise NotImplementedError


class ConversationRef:
    """What names one conversation at its provider (the read side's key): a frozen,
    hashable record whose class names its provider."""

    __slots__ = ()
    provider: ClassVar[Provider]

    def update_for(self, action: ConversationAction) -> ConversationUpdate | Unsupported:
        """The provider's own update doing `action` to this conversation, or why it cannot."""
        raise NotImplementedError


class Conversation:
    """A conversation as its provider describes it: a frozen record whose class names its
    provider.

    Every conversation record also has `id` and the same normalized state under the same
    names, `NORMALIZED_STATE` (each a field or a property of the record; None where the
    provider has no such notion), so a client can read any provider's alike.
    """

    __slots__ = ()
    provider: ClassVar[Provider]

    def ref(self) -> ConversationRef:
        """The reference that reads this conversation."""
        raise NotImplementedError

    @property
    def complete(self) -> bool:
        """False when an update's answer left part of the state unknown, which a read of
        the conversation can fill in (`completed_by`)."""
        return True

    def completed_by(self, read: Conversation) -> Conversation:
        """This conversation with what only `read` (a read after the update) knows."""
        return self


#: The state every conversation tells alike: `archived`, `read`, `spam`, `deleted`.
NORMALIZED_STATE = ("archived", "read", "spam", "deleted")


class Absent(Enum):
    """A field the caller did not give, where giving null means something else."""

    ABSENT = "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = Absent.ABSENT
