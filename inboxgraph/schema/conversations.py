"""Conversations as each provider describes them: the `Conversation` union of entities."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import federation

from inboxgraph.schema.enums import (
    AyrshareConversationStatus,
    AyrsharePlatform,
    EbayConversationStatus,
    EbayConversationType,
    HighLevelMessageStatus,
    Provider,
    PuffleConversationStatus,
)
from inboxgraph.schema.refs import ayrshare_key, ebay_key, puffle_key
from inboxgraph.schema.scalars import SafeInt

if TYPE_CHECKING:
    from strawberry.types import Info

    from inboxgraph.resolvers.context import RequestContext

# Entities resolve through the request's per-provider read loaders, so `_entities` with
# many representations makes one read batch per provider.


@federation.type(keys=["platform id"])
class AyrshareConversation:
    platform: AyrsharePlatform
    id: strawberry.ID
    status: AyrshareConversationStatus

    @classmethod
    async def resolve_reference(
        cls, info: Info[RequestContext, None], platform: str, id: strawberry.ID
    ) -> AyrshareConversation | None:
        found: AyrshareConversation | None = await info.context.read(
            Provider.AYRSHARE, ayrshare_key(_enum(AyrsharePlatform, platform), id)
        )
        return found


@federation.type(keys=["id"])
class PuffleConversation:
    id: strawberry.ID
    status: PuffleConversationStatus
    unread_count: SafeInt
    channel: str
    participant_name: str | None
    last_message_at: datetime | None
    updated_at: datetime

    @classmethod
    async def resolve_reference(
        cls, info: Info[RequestContext, None], id: strawberry.ID
    ) -> PuffleConversation | None:
        found: PuffleConversation | None = await info.context.read(Provider.PUFFLE, puffle_key(id))
        return found


@strawberry.type
class HighLevelMessage:
    id: strawberry.ID
    status: HighLevelMessageStatus


@federation.type(keys=["id"], description="A HighLevel conversation.")
class HighLevelConversation:
    id: strawberry.ID
    message: HighLevelMessage | None = strawberry.field(
        description=(
            "The message whose status an update set; "
            "null when the conversation was resolved by reference."
        )
    )

    @classmethod
    async def resolve_reference(
        cls, info: Info[RequestContext, None], id: strawberry.ID
    ) -> HighLevelConversation | None:
        found: HighLevelConversation | None = await info.context.read(Provider.HIGHLEVEL, str(id))
        return found


@federation.type(keys=["uid"])
class VcitaConversation:
    uid: strawberry.ID = strawberry.field(
        description=(
            "The uid of the conversation actually updated "
            "(the merge target when the given uid was merged)."
        )
    )
    archived: bool
    spam: bool
    business_unread: bool
    deleted: bool

    @classmethod
    async def resolve_reference(
        cls, info: Info[RequestContext, None], uid: strawberry.ID
    ) -> VcitaConversation | None:
        found: VcitaConversation | None = await info.context.read(Provider.VCITA, str(uid))
        return found


@federation.type(
    keys=["id conversationType"],
    description="eBay needs the conversation type to read a conversation, so it is part of the key.",
)
class EbayConversation:
    id: strawberry.ID
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None
    read: bool | None

    @classmethod
    async def resolve_reference(
        cls,
        info: Info[RequestContext, None],
        id: strawberry.ID,
        conversationType: str,
    ) -> EbayConversation | None:
        found: EbayConversation | None = await info.context.read(
            Provider.EBAY, ebay_key(id, _enum(EbayConversationType, conversationType))
        )
        return found


def _enum(enum: Any, name: str) -> Any:
    """An enum member from its GraphQL name, as representations carry it."""
    try:
        return enum[name]
    except KeyError:
        raise ValueError(f"{name!r} is not a {enum.__name__} value") from None


Conversation = Annotated[
    AyrshareConversation
    | PuffleConversation
    | HighLevelConversation
    | VcitaConversation
    | EbayConversation,
    strawberry.union("Conversation"),
]
