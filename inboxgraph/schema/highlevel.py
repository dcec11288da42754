"""HighLevel's GraphQL types: its status update input, its reference and its conversation."""

from __future__ import annotations

from typing import ClassVar

import strawberry
from strawberry import federation
from strawberry.types import Info

from inboxgraph.domain import highlevel as records
from inboxgraph.domain.provider import Conversation, Provider
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.records import ReadsConversations, RecordView

HighLevelMessageStatus = records.HighLevelMessageStatus
graphql_enum(HighLevelMessageStatus)


@strawberry.input(description="The error a conversation provider reports for a message.")
class HighLevelProviderErrorInput:
    code: str
    type: str
    message: str


@strawberry.input(description="HighLevel: `PUT /conversations/messages/{messageId}/status`.")
class HighLevelMessageStatusUpdate:
    provider: ClassVar[Provider] = Provider.HIGHLEVEL

    message_id: strawberry.ID
    status: HighLevelMessageStatus
    error: HighLevelProviderErrorInput | None = strawberry.field(
        default=None, description="Error object from the conversation provider."
    )
    email_message_id: strawberry.ID | None = None
    recipients: list[str] | None = strawberry.field(
        default=None, description="Email delivery status for additional email recipients."
    )

    def to_update(self) -> records.HighLevelMessageStatusUpdate:
        error = self.error
        return records.HighLevelMessageStatusUpdate(
            message_id=str(self.message_id),
            status=self.status,
            error=None
            if error is None
            else records.HighLevelProviderError(
                code=error.code, type=error.type, message=error.message
            ),
            email_message_id=None if self.email_message_id is None else str(self.email_message_id),
            recipients=None if self.recipients is None else tuple(self.recipients),
        )


@strawberry.input
class HighLevelConversationRef:
    provider: ClassVar[Provider] = Provider.HIGHLEVEL

    id: strawberry.ID

    def to_ref(self) -> records.HighLevelConversationRef:
        return records.HighLevelConversationRef(id=str(self.id))


@strawberry.type
class HighLevelMessage(RecordView):
    record = records.HighLevelMessage

    id: strawberry.ID
    status: HighLevelMessageStatus


@federation.type(keys=["id"], description="A HighLevel conversation.")
class HighLevelConversation(RecordView, InboxConversation):
    record = records.HighLevelConversation

    id: strawberry.ID
    message: HighLevelMessage | None = strawberry.field(
        description=(
            "The message whose status an update set; "
            "null when the conversation was resolved by reference."
        )
    )

    @classmethod
    async def resolve_reference(
        cls, info: Info[ReadsConversations, None], id: strawberry.ID
    ) -> Conversation | None:
        return await info.context.read(records.HighLevelConversationRef(id=str(id)))
