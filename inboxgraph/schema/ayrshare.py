"""Ayrshare's GraphQL types: its update input, its reference and its conversation."""

from __future__ import annotations

from typing import ClassVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from inboxgraph.domain import ayrshare as records
from inboxgraph.domain.provider import Conversation, Provider
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.records import ReadsConversations, RecordView, enum_member

AyrsharePlatform = records.AyrsharePlatform
graphql_enum(AyrsharePlatform)
AyrshareConversationStatus = records.AyrshareConversationStatus
graphql_enum(AyrshareConversationStatus)


@strawberry.input(
    description="Ayrshare: `PUT /api/messages/{platform}/{conversationId}` with `{status}`."
)
class AyrshareConversationUpdate:
    provider: ClassVar[Provider] = Provider.AYRSHARE

    platform: AyrsharePlatform
    conversation_id: strawberry.ID
    status: AyrshareConversationStatus
    profile_key: str | None = strawberry.field(
        default=None,
        description="Ayrshare user profile to act for (sent as the Profile-Key header).",
    )

    def to_update(self) -> records.AyrshareConversationUpdate:
        return records.AyrshareConversationUpdate(
            platform=self.platform,
            conversation_id=str(self.conversation_id),
            status=self.status,
            profile_key=self.profile_key,
        )


@strawberry.input
class AyrshareConversationRef:
    provider: ClassVar[Provider] = Provider.AYRSHARE

    platform: AyrsharePlatform
    id: strawberry.ID

    def to_ref(self) -> records.AyrshareConversationRef:
        return records.AyrshareConversationRef(platform=self.platform, id=str(self.id))


@federation.type(keys=["platform id"])
class AyrshareConversation(RecordView, InboxConversation):
    record = records.AyrshareConversation

    platform: AyrsharePlatform
    id: strawberry.ID
    status: AyrshareConversationStatus

    @classmethod
    async def resolve_reference(
        cls, info: Info[ReadsConversations, None], platform: str, id: strawberry.ID
    ) -> Conversation | None:
        ref = records.AyrshareConversationRef(enum_member(AyrsharePlatform, platform), str(id))
        return await info.context.read(ref)
