"""The providers inboxgraph speaks to, how it reaches each, and the base records every
provider's updates, conversations and references derive from."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


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


class Conversation:
    """A conversation as its provider describes it: a frozen record whose class names its
    provider."""

    __slots__ = ()
    provider: ClassVar[Provider]


class ConversationRef:
    """What names one conversation at its provider (the read side's key): a frozen,
    hashable record whose class names its provider."""

    __slots__ = ()
    provider: ClassVar[Provider]


class Absent(Enum):
    """A field the caller did not give, where giving null means something else."""

    ABSENT = "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = Absent.ABSENT
