"""The interface every provider's conversation implements: one shape to read them all."""

from __future__ import annotations

import strawberry

from inboxgraph.schema.enums import Provider


@strawberry.interface(
    description=(
        "What every conversation tells alike, whatever its provider: query these through "
        "`... on InboxConversation` across the Conversation union without aliases. A state "
        "is null only where the provider has no such notion."
    )
)
class InboxConversation:
    provider: Provider
    id: strawberry.ID = strawberry.field(
        description="The provider's id of the conversation (with the provider, unique)."
    )
    archived: bool | None
    read: bool | None = strawberry.field(description="True when nothing in it is unread.")
    spam: bool | None
    deleted: bool | None
