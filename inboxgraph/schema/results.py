"""Mutation results: expected failures are data, not GraphQL errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from inboxgraph.schema.conversations import Conversation
from inboxgraph.schema.enums import Provider, UpdateErrorCode


@strawberry.type
class ConversationUpdated:
    provider: Provider
    conversation: Conversation


@strawberry.type
class UpdateFailed:
    provider: Provider
    code: UpdateErrorCode
    message: str = strawberry.field(
        description="Human-readable, safe to show; never contains credentials."
    )
    field: str | None = strawberry.field(
        default=None,
        description=(
            'The input field at fault, as a GraphQL path such as "puffle.unreadCount", when one is.'
        ),
    )
    provider_status: int | None = strawberry.field(
        default=None, description="The provider's HTTP status, when the provider answered."
    )
    provider_code: str | None = strawberry.field(
        default=None,
        description="The provider's own error code (Ayrshare 101, eBay 355007, ...), when it gave one.",
    )
    retryable: bool = strawberry.field(
        default=False,
        description="True when the same request may succeed if sent again later.",
    )


UpdateConversationResult = Annotated[
    ConversationUpdated | UpdateFailed, strawberry.union("UpdateConversationResult")
]
