"""References to one conversation by its provider's key: the query side's `@oneOf` input."""

from __future__ import annotations

from collections.abc import Hashable

import strawberry

from inboxgraph.schema.enums import AyrsharePlatform, EbayConversationType, Provider


@strawberry.input
class AyrshareConversationRef:
    platform: AyrsharePlatform
    id: strawberry.ID


@strawberry.input
class PuffleConversationRef:
    id: strawberry.ID


@strawberry.input
class HighLevelConversationRef:
    id: strawberry.ID


@strawberry.input
class VcitaConversationRef:
    uid: strawberry.ID


@strawberry.input
class EbayConversationRef:
    id: strawberry.ID
    conversation_type: EbayConversationType


@strawberry.input(one_of=True, description="One conversation, by the key of exactly one provider.")
class ConversationRef:
    ayrshare: AyrshareConversationRef | None = strawberry.UNSET
    puffle: PuffleConversationRef | None = strawberry.UNSET
    high_level: HighLevelConversationRef | None = strawberry.UNSET
    vcita: VcitaConversationRef | None = strawberry.UNSET
    ebay: EbayConversationRef | None = strawberry.UNSET

    def key(self) -> tuple[Provider, Hashable]:
        """The provider and the read key of the one variant given."""
        if self.ayrshare:
            return Provider.AYRSHARE, ayrshare_key(self.ayrshare.platform, self.ayrshare.id)
        if self.puffle:
            return Provider.PUFFLE, puffle_key(self.puffle.id)
        if self.high_level:
            return Provider.HIGHLEVEL, str(self.high_level.id)
        if self.vcita:
            return Provider.VCITA, str(self.vcita.uid)
        if self.ebay:
            return Provider.EBAY, ebay_key(self.ebay.id, self.ebay.conversation_type)
        raise ValueError("ConversationRef carries no provider variant")


def ayrshare_key(platform: AyrsharePlatform, conversation_id: str) -> Hashable:
    return (platform, str(conversation_id))


def puffle_key(conversation_id: str) -> Hashable:
    return str(conversation_id).lower()


def ebay_key(conversation_id: str, conversation_type: EbayConversationType) -> Hashable:
    return (str(conversation_id), conversation_type)
