"""Provider-neutral actions on a conversation, mapped to each provider's own update."""

from __future__ import annotations

import strawberry

from inboxgraph.domain import actions
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.refs import ConversationRef

ConversationAction = actions.ConversationAction
graphql_enum(
    ConversationAction,
    description="What to do to a conversation, whatever its provider.",
    values={
        "ARCHIVE": "Archive it (Ayrshare, Puffle, vcita, eBay).",
        "UNARCHIVE": "Make it active again (Ayrshare, Puffle, vcita, eBay).",
        "MARK_READ": "Mark it read (Puffle, vcita, eBay).",
        "MARK_UNREAD": "Mark it unread (Puffle: one unread message; vcita, eBay).",
        "MARK_SPAM": "Flag it as spam (vcita).",
        "DELETE": "Delete it (vcita: soft delete; eBay).",
    },
)


@strawberry.input(description="One provider-neutral action on one conversation.")
class ConversationActionInput:
    ref: ConversationRef
    action: ConversationAction
