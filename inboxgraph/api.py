"""The composition root: the federation schema, built from the types and the resolvers.

Nothing imports this module back: schema types, resolvers and providers stay below it.
"""

from __future__ import annotations

import logging
from typing import Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.federation import Schema
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from inboxgraph.resolvers import mutations, queries
from inboxgraph.schema.conversations import CONVERSATION_TYPES, Conversation
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


@strawberry.type
class Query:
    conversation = strawberry.field(
        resolver=queries.conversation,
        graphql_type=Conversation | None,
        description="One conversation by its provider key; null when the provider does not know it.",
    )
    conversations = strawberry.field(
        resolver=queries.conversations,
        graphql_type=list[Conversation | None],
        description=(
            "Many conversations, possibly from different providers, in input order; "
            "null for those not found (and for those whose read failed, with an error at that index)."
        ),
    )
    providers = strawberry.field(
        resolver=queries.providers,
        description="Every provider and whether it runs live or in the sandbox.",
    )


@strawberry.type
class Mutation:
    update_conversation = strawberry.mutation(
        resolver=mutations.update_conversation,
        graphql_type=UpdateConversationResult,
        description="Apply one provider-native update.",
    )
    update_conversations = strawberry.mutation(
        resolver=mutations.update_conversations,
        graphql_type=list[UpdateConversationResult],
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
        types=list(CONVERSATION_TYPES),
        federation_version=FEDERATION_VERSION,
        extensions=[
            lambda: AddValidationRules(list(LIMIT_RULES)),
            lambda: ParserCache(maxsize=PARSER_CACHE_SIZE),
            lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema()
