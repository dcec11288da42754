"""The `@oneOf` reference to one conversation by its provider's key. A new provider is one field."""

from __future__ import annotations

from typing import ClassVar, Protocol

import strawberry

from inboxgraph.domain.provider import ConversationRef as Ref
from inboxgraph.domain.provider import Provider
from inboxgraph.schema.ayrshare import AyrshareConversationRef
from inboxgraph.schema.ebay import EbayConversationRef
from inboxgraph.schema.highlevel import HighLevelConversationRef
from inboxgraph.schema.inputs import the_variant
from inboxgraph.schema.puffle import PuffleConversationRef
from inboxgraph.schema.vcita import VcitaConversationRef


class RefVariant(Protocol):
    provider: ClassVar[Provider]

    def to_ref(self) -> Ref: ...


@strawberry.input(one_of=True, description="One conversation, by the key of exactly one provider.")
class ConversationRef:
    ayrshare: AyrshareConversationRef | None = strawberry.UNSET
    puffle: PuffleConversationRef | None = strawberry.UNSET
    high_level: HighLevelConversationRef | None = strawberry.UNSET
    vcita: VcitaConversationRef | None = strawberry.UNSET
    ebay: EbayConversationRef | None = strawberry.UNSET

    def to_ref(self) -> Ref:
        """The one variant given, as its provider's reference record."""
        variant: RefVariant = the_variant(self)
        return variant.to_ref()
