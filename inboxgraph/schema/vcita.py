"""vcita's GraphQL types: its update input, its reference and its conversation."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from inboxgraph.domain import vcita as records
from inboxgraph.domain.provider import ABSENT, Absent, Conversation, Provider
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.records import ReadsConversations, RecordView


@strawberry.input(
    description=(
        "vcita: `PUT /v2/conversations/{uid}`. Send only the fields to change. "
        "`followUp: true` creates or updates the caller's follow-up (and unarchives); "
        "`followUp: false`, or `followUp: true` with `archived: true`, removes it."
    )
)
class VcitaConversationUpdate:
    provider: ClassVar[Provider] = Provider.VCITA

    uid: strawberry.ID
    archived: bool | None = None
    business_unread: bool | None = None
    spam: bool | None = None
    deleted: bool | None = strawberry.field(
        default=None,
        description=(
            "`true` soft-deletes (vcita sets deleted_at to now). vcita documents only `true`; "
            "`false` is sent as given."
        ),
    )
    campaign: str | None = strawberry.field(
        default=strawberry.UNSET, description="Campaign tag; null clears it."
    )
    source_type: str | None = strawberry.field(
        default=strawberry.UNSET, description="Source classifier; null clears it."
    )
    mobile: bool | None = None
    follow_up: bool | None = None
    follow_up_date: datetime | None = strawberry.field(
        default=None, description="Must be in the future and carry a UTC offset."
    )
    follow_up_message: str | None = None
    complete_follow_up: bool | None = None

    def to_update(self) -> records.VcitaConversationUpdate:
        return records.VcitaConversationUpdate(
            uid=str(self.uid),
            archived=self.archived,
            business_unread=self.business_unread,
            spam=self.spam,
            deleted=self.deleted,
            campaign=_given(self.campaign),
            source_type=_given(self.source_type),
            mobile=self.mobile,
            follow_up=self.follow_up,
            follow_up_date=self.follow_up_date,
            follow_up_message=self.follow_up_message,
            complete_follow_up=self.complete_follow_up,
        )


def _given(value: str | None) -> str | Absent | None:
    return ABSENT if value is strawberry.UNSET else value


@strawberry.input
class VcitaConversationRef:
    provider: ClassVar[Provider] = Provider.VCITA

    uid: strawberry.ID

    def to_ref(self) -> records.VcitaConversationRef:
        return records.VcitaConversationRef(uid=str(self.uid))


@federation.type(keys=["uid"])
class VcitaConversation(RecordView, InboxConversation):
    record = records.VcitaConversation

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
        cls, info: Info[ReadsConversations, None], uid: strawberry.ID
    ) -> Conversation | None:
        return await info.context.read(records.VcitaConversationRef(uid=str(uid)))
