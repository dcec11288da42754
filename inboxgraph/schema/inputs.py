"""The `@oneOf` update input: exactly one provider variant. A new provider is one field."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Protocol

import strawberry

from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.schema.ayrshare import AyrshareConversationUpdate
from inboxgraph.schema.ebay import EbayConversationUpdate
from inboxgraph.schema.highlevel import HighLevelMessageStatusUpdate
from inboxgraph.schema.puffle import PuffleConversationUpdate
from inboxgraph.schema.vcita import VcitaConversationUpdate


class UpdateVariant(Protocol):
    provider: ClassVar[Provider]

    def to_update(self) -> ConversationUpdate: ...


@strawberry.input(one_of=True, description="Exactly one provider variant must be given.")
class UpdateConversationInput:
    ayrshare: AyrshareConversationUpdate | None = strawberry.UNSET
    puffle: PuffleConversationUpdate | None = strawberry.UNSET
    high_level: HighLevelMessageStatusUpdate | None = strawberry.UNSET
    vcita: VcitaConversationUpdate | None = strawberry.UNSET
    ebay: EbayConversationUpdate | None = strawberry.UNSET

    def variant(self) -> UpdateVariant:
        """The one variant given (`@oneOf` guarantees exactly one)."""
        variant: UpdateVariant = the_variant(self)
        return variant


def the_variant(one_of: object) -> Any:
    """The one field of a `@oneOf` input that is given."""
    for field in dataclasses.fields(one_of):  # type: ignore[arg-type]
        value = getattr(one_of, field.name)
        if value is not None and value is not strawberry.UNSET:
            return value
    raise ValueError(f"{type(one_of).__name__} carries no provider variant")
