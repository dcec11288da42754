"""Mutation results: expected failures are data, not GraphQL errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from inboxgraph.domain import outcomes
from inboxgraph.schema.conversations import Conversation
from inboxgraph.schema.enums import Provider, UpdateErrorCode
from inboxgraph.schema.records import RecordView


@strawberry.type
class ConversationUpdated(RecordView):
    record = outcomes.ConversationUpdated

    provider: Provider
    conversation: Conversation


@strawberry.type
class UpdateFailed(RecordView):
    record = outcomes.UpdateFailed

    provider: Provider
    code: UpdateErrorCode
    message: str = strawberry.field(
        description="Human-readable, safe to show; never contains credentials."
    )
    field: str | None = strawberry.field(
        description=(
            'The input field at fault, as a GraphQL path such as "puffle.unreadCount", when one is.'
        ),
    )
    provider_status: int | None = strawberry.field(
        description="The provider's HTTP status, when the provider answered."
    )
    provider_code: str | None = strawberry.field(
        description="The provider's own error code (Ayrshare 101, eBay 355007, ...), when it gave one.",
    )
    retryable: bool = strawberry.field(
        description=(
            "True when sending the same update again later may succeed, and can do no more "
            "than sending it once (false for an update not safe to repeat that may have "
            "been applied)."
        )
    )
    may_have_been_applied: bool = strawberry.field(
        description=(
            "True when inboxgraph cannot rule out that the provider applied the update "
            "(the answer was lost or unreadable after sending): read the conversation "
            "before sending it again. False means nothing changed at the provider."
        )
    )


UpdateConversationResult = Annotated[
    ConversationUpdated | UpdateFailed, strawberry.union("UpdateConversationResult")
]
