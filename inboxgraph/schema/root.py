"""Root types and the federation-2 schema."""

from __future__ import annotations

import logging
from enum import Enum
from typing import Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.federation import Schema
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info
from strawberry.utils.logging import StrawberryLogger

from inboxgraph.resolvers.context import RequestContext
from inboxgraph.resolvers.mutations import update_conversation, update_conversations
from inboxgraph.resolvers.queries import conversation, conversations
from inboxgraph.schema.conversations import (
    AyrshareConversation,
    Conversation,
    EbayConversation,
    HighLevelConversation,
    PuffleConversation,
    VcitaConversation,
)
from inboxgraph.schema.enums import Provider
from inboxgraph.schema.results import UpdateConversationResult
from inboxgraph.schema.scalars import SCALAR_MAP

#: The federation version the SDL is printed for; pinned so an upgrade cannot change it.
FEDERATION_VERSION: Final = "2.11"
MAX_QUERY_DEPTH = 12
MAX_ALIASES = 100
PARSER_CACHE_SIZE = 256
VALIDATION_CACHE_SIZE = 256

# Built once: the validation cache is keyed by the rule classes, so a class made per
# request would miss it every time.
LIMIT_RULES = (max_depth_rule(MAX_QUERY_DEPTH, None), max_aliases_rule(MAX_ALIASES))


@strawberry.enum(description="How inboxgraph reaches a provider.")
class ProviderMode(Enum):
    LIVE = strawberry.enum_value(
        "live", description="The provider's real API, with configured credentials."
    )
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
    conversation: Conversation | None = strawberry.field(
        resolver=conversation,
        description="One conversation by its provider key; null when the provider does not know it.",
    )
    conversations: list[Conversation | None] = strawberry.field(
        resolver=conversations,
        description=(
            "Many conversations, possibly from different providers, in input order; "
            "null for those not found (and for those whose read failed, with an error at that index)."
        ),
    )

    @strawberry.field(description="Every provider and whether it runs live or in the sandbox.")  # type: ignore[untyped-decorator]
    def providers(self, info: Info[RequestContext, None]) -> list[ProviderInfo]:
        settings = info.context.services.settings
        return [
            ProviderInfo(provider=p, mode=ProviderMode(settings.providers[p].mode))
            for p in Provider
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


logger = logging.getLogger("inboxgraph.graphql")


class InboxGraphSchema(Schema):
    """The federation schema, logging callers' mistakes as one line instead of a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError | ValueError):
                logger.info("request refused: %s", error.message)
            else:
                StrawberryLogger.error(error, execution_context)


def build_schema() -> Schema:
    """The subgraph schema. Extensions are made per request (no state shared between
    concurrent requests); the caches and limit rules they use are process-wide."""
    return InboxGraphSchema(
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
            lambda: AddValidationRules(list(LIMIT_RULES)),
            lambda: ParserCache(maxsize=PARSER_CACHE_SIZE),
            lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema()
