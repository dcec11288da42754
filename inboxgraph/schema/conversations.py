"""The `Conversation` union of every provider's conversation type. A new provider is one member."""

from __future__ import annotations

from typing import Annotated

import strawberry

from inboxgraph.schema.ayrshare import AyrshareConversation
from inboxgraph.schema.ebay import EbayConversation
from inboxgraph.schema.highlevel import HighLevelConversation
from inboxgraph.schema.puffle import PuffleConversation
from inboxgraph.schema.vcita import VcitaConversation

Conversation = Annotated[
    AyrshareConversation
    | PuffleConversation
    | HighLevelConversation
    | VcitaConversation
    | EbayConversation,
    strawberry.union("Conversation"),
]

#: The entity types, for the schema's `types`.
CONVERSATION_TYPES = (
    AyrshareConversation,
    PuffleConversation,
    HighLevelConversation,
    VcitaConversation,
    EbayConversation,
)
