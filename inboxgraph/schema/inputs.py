"""Provider-specific update inputs and the `@oneOf` input that carries exactly one of them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from inboxgraph.schema.enums import (
    AyrshareConversationStatus,
    AyrsharePlatform,
    EbayConversationStatus,
    EbayConversationType,
    HighLevelMessageStatus,
    Provider,
    PuffleConversationStatus,
)
from inboxgraph.schema.scalars import SafeInt


@strawberry.input(
    description="Ayrshare: `PUT /api/messages/{platform}/{conversationId}` with `{status}`."
)
class AyrshareConversationUpdate:
    platform: AyrsharePlatform
    conversation_id: strawberry.ID
    status: AyrshareConversationStatus
    profile_key: str | None = strawberry.field(
        default=None,
        description="Ayrshare user profile to act for (sent as the Profile-Key header).",
    )


@strawberry.input(
    description=(
        "Puffle: `PATCH /api/conversations/{id}` with `{status, unread_count}`. "
        "At least one of status and unreadCount is required."
    )
)
class PuffleConversationUpdate:
    id: strawberry.ID = strawberry.field(description="A UUID matching Puffle's documented pattern.")
    status: PuffleConversationStatus | None = None
    unread_count: SafeInt | None = strawberry.field(default=None, description="0..9007199254740991")


@strawberry.input(description="The error a conversation provider reports for a failed message.")
class HighLevelProviderErrorInput:
    code: str
    type: str
    message: str


@strawberry.input(description="HighLevel: `PUT /conversations/messages/{messageId}/status`.")
class HighLevelMessageStatusUpdate:
    message_id: strawberry.ID
    status: HighLevelMessageStatus
    error: HighLevelProviderErrorInput | None = strawberry.field(
        default=None, description="The provider's delivery error; only with status FAILED."
    )
    email_message_id: strawberry.ID | None = None
    recipients: list[str] | None = None


@strawberry.input(
    description=(
        "vcita: `PUT /v2/conversations/{uid}`. Send only the fields to change. "
        "`followUp: true` creates or updates the caller's follow-up (and unarchives); "
        "`followUp: false`, or `followUp: true` with `archived: true`, removes it."
    )
)
class VcitaConversationUpdate:
    uid: strawberry.ID
    archived: bool | None = None
    business_unread: bool | None = None
    spam: bool | None = None
    deleted: bool | None = strawberry.field(
        default=None,
        description="`true` soft-deletes (vcita sets deleted_at); `false` is refused, as vcita documents no undelete.",
    )
    campaign: str | None = None
    source_type: str | None = None
    mobile: bool | None = None
    follow_up: bool | None = None
    follow_up_date: datetime | None = strawberry.field(
        default=None, description="Must be in the future and carry a UTC offset."
    )
    follow_up_message: str | None = None
    complete_follow_up: bool | None = None


@strawberry.input(
    description=(
        "eBay: `POST /commerce/message/v1/update_conversation`. "
        "Give exactly one of conversationStatus and read."
    )
)
class EbayConversationUpdate:
    conversation_id: strawberry.ID
    conversation_type: EbayConversationType
    conversation_status: EbayConversationStatus | None = None
    read: bool | None = None


@strawberry.input(one_of=True, description="Exactly one provider variant must be given.")
class UpdateConversationInput:
    ayrshare: AyrshareConversationUpdate | None = strawberry.UNSET
    puffle: PuffleConversationUpdate | None = strawberry.UNSET
    high_level: HighLevelMessageStatusUpdate | None = strawberry.UNSET
    vcita: VcitaConversationUpdate | None = strawberry.UNSET
    ebay: EbayConversationUpdate | None = strawberry.UNSET

    def chosen(self) -> tuple[Provider, object]:
        """The provider and update of the one variant given (`@oneOf` guarantees exactly one)."""
        variants: tuple[tuple[Provider, object], ...] = (
            (Provider.AYRSHARE, self.ayrshare),
            (Provider.PUFFLE, self.puffle),
            (Provider.HIGHLEVEL, self.high_level),
            (Provider.VCITA, self.vcita),
            (Provider.EBAY, self.ebay),
        )
        for provider, update in variants:
            if update is not None and update is not strawberry.UNSET:
                return provider, update
        raise ValueError("UpdateConversationInput carries no provider variant")
