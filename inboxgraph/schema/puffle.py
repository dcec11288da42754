"""Puffle's GraphQL types: its update input, its reference and its conversation."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from inboxgraph.domain import puffle as records
from inboxgraph.domain.provider import Conversation, Provider
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.records import ReadsConversations, RecordView
from inboxgraph.schema.scalars import SafeInt

PuffleConversationStatus = records.PuffleConversationStatus
graphql_enum(PuffleConversationStatus)


@strawberry.input(
    description=(
        "Puffle: `PATCH /api/conversations/{id}` with `{status, unread_count}`. "
        "At least one of status and unreadCount is required."
    )
)
class PuffleConversationUpdate:
    provider: ClassVar[Provider] = Provider.PUFFLE

    id: strawberry.ID = strawberry.field(description="A UUID matching Puffle's documented pattern.")
    status: PuffleConversationStatus | None = None
    unread_count: SafeInt | None = strawberry.field(default=None, description="0..9007199254740991")

    def to_update(self) -> records.PuffleConversationUpdate:
        return records.PuffleConversationUpdate(
            id=str(self.id), status=self.status, unread_count=self.unread_count
        )


@strawberry.input
class PuffleConversationRef:
    provider: ClassVar[Provider] = Provider.PUFFLE

    id: strawberry.ID

    def to_ref(self) -> records.PuffleConversationRef:
        return records.PuffleConversationRef(id=str(self.id))


@federation.type(keys=["id"])
class PuffleConversation(RecordView, InboxConversation):
    record = records.PuffleConversation

    id: strawberry.ID
    status: PuffleConversationStatus
    unread_count: SafeInt
    channel: str
    participant_name: str | None
    last_message_at: datetime | None
    updated_at: datetime

    @classmethod
    async def resolve_reference(
        cls, info: Info[ReadsConversations, None], id: strawberry.ID
    ) -> Conversation | None:
        return await info.context.read(records.PuffleConversationRef(id=str(id)))
