"""Root types and the federation-2 schema."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.federation import Schema
from strawberry.types import Info

from inboxgraph.resolvers.context import RequestContext
from inboxgraph.resolvers.mutations import update_conversation, update_conversations
from inboxgraph.schema.conversations import (
    AyrshareConversation,
    EbayConversation,
    HighLevelConversation,
    PuffleConversation,
    VcitaConversation,
)
from inboxgraph.schema.enums import Provider
from inboxgraph.schema.results import UpdateConversationResult

#: The federation version the SDL is printed for; pinned so an upgrade cannot change it.
FEDERATION_VERSION = "2.11"
MAX_QUERY_DEPTH = 12
MAX_ALIASES = 100


@strawberry.enum(description="How inboxgraph reaches a provider.")
class ProviderMode(Enum):
    LIVE = strawberry.enum_value("live", description="The provider's real API, with configured credentials.")
    SANDBOX = strawberry.enum_value(
        "sandbox", description="The built-in emulator of the provider's documented API."
    )
    NOT_CONFIGURED = strawberry.enum_value(
        "not_configured", description="Unavailable: configuration is missing or incomplete."
    )


@strawberry.type(description="A provider and how this server reaches it.")
class ProviderInfo:
    provider: Provider
    mode: ProviderMode


@strawberry.type
class Query:
    @strawberry.field(description="Every provider and whether it runs live or in the sandbox.")
    def providers(self, info: Info[RequestContext, None]) -> list[ProviderInfo]:
        settings = info.context.services.settings
        return [
            ProviderInfo(provider=p, mode=ProviderMode(settings.providers[p].mode)) for p in Provider
        ]


@strawberry.type
class Mutation:
    update_conversation: UpdateConversationResult = strawberry.mutation(
        resolver=update_conversation, description="Apply one provider-native update."
    )
    update_conversations: list[UpdateConversationResult] = strawberry.mutation(
        resolver=update_conversations,
        description=(
            "Apply many updates, possibly to different providers; one result per input, "
            "in input order."
        ),
    )


def build_schema() -> Schema:
    """The subgraph schema. Its limit extensions are shared instances, so the
    validation cache hits across requests."""
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[
            AyrshareConversation,
            PuffleConversation,
            HighLevelConversation,
            VcitaConversation,
            EbayConversation,
        ],
        federation_version=FEDERATION_VERSION,
        extensions=[
            QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
            MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            ParserCache(maxsize=256),
            ValidationCache(maxsize=256),
        ],
    )


schema = build_schema()
