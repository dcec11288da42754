"""The federation schema, built from the types and the resolvers, with its limits."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ValidationCache,
)
from strawberry.federation import Schema
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info
from strawberry.utils.logging import StrawberryLogger

from inboxgraph.api.entities import checked_representation
from inboxgraph.api.error_codes import ErrorCodes, ParseCache, cached_parser, is_callers_mistake
from inboxgraph.api.input_builders import install_input_builders
from inboxgraph.api.limits import UpstreamBudget, document_limits_rule
from inboxgraph.api.observer import OperationObserver
from inboxgraph.api.transports import OperationTransports
from inboxgraph.config import Limits
from inboxgraph.observability.metrics import OperationNames
from inboxgraph.resolvers import jobs, mutations, queries
from inboxgraph.schema.conversations import CONVERSATION_TYPES, Conversation
from inboxgraph.schema.inbox import InboxConversation
from inboxgraph.schema.jobs import BulkJob
from inboxgraph.schema.results import UpdateConversationResult
from inboxgraph.schema.scalars import SCALAR_MAP

if TYPE_CHECKING:
    from inboxgraph.observability.tracing import Tracing

#: The federation version the SDL links: the lowest one that has every federation directive
#: it uses (only @key: 2.0), so every gateway can compose it. Pinned so an upgrade cannot
#: change it; tests/federation/test_federation_version.py checks that it is that minimum.
FEDERATION_VERSION: Final = "2.0"
PARSER_CACHE_SIZE = 256
VALIDATION_CACHE_SIZE = 256


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
    bulk_job = strawberry.field(
        resolver=jobs.bulk_job,
        graphql_type=BulkJob | None,
        description="null when no job has this id (or it belongs to another caller).",
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
    start_bulk_update = strawberry.mutation(
        resolver=jobs.start_bulk_update,
        graphql_type=BulkJob,
        description="Queue many updates as a job that outlives this request; returns at once.",
    )
    cancel_bulk_job = strawberry.mutation(
        resolver=jobs.cancel_bulk_job,
        graphql_type=BulkJob | None,
        description=(
            "Stop a job: items not yet sent are never sent and end as UpdateFailed with code "
            "CANCELLED."
        ),
    )
    apply_conversation_action = strawberry.mutation(
        resolver=mutations.apply_conversation_action,
        graphql_type=UpdateConversationResult,
        description="One provider-neutral action on one conversation, mapped to that provider's own update.",
    )
    apply_conversation_actions = strawberry.mutation(
        resolver=mutations.apply_conversation_actions,
        graphql_type=list[UpdateConversationResult],
        description=(
            "Many provider-neutral actions, possibly on different providers; one result per "
            "item, in item order."
        ),
    )


@strawberry.type
class Subscription:
    bulk_job_progress = strawberry.subscription(
        resolver=jobs.bulk_job_progress,
        graphql_type=BulkJob,
        description=(
            "The job's state after every change, ending when the job is finished "
            "(graphql-transport-ws)."
        ),
    )


logger = logging.getLogger("inboxgraph.graphql")


class InboxGraphSchema(Schema):
    """The federation schema: callers' mistakes are logged as one line instead of a
    traceback, and a bad `_entities` representation fails only its own index."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_callers_mistake(error):
                logger.info("request refused: %s", error.message)
            else:
                StrawberryLogger.error(error, execution_context)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        results: list[FederationAny] = []
        for index, representation in enumerate(representations):
            checked = checked_representation(self.schema_converter.type_map, index, representation)
            if isinstance(checked, GraphQLError):
                results.append(FederationAny(checked))
            else:
                results.extend(super().entities_resolver(info, [FederationAny(checked)]))
        return results


def build_schema(
    limits: Limits | None = None, *, caches: bool = True, tracing: Tracing | None = None
) -> Schema:
    """The subgraph schema. Extensions are made per request (no state shared between
    concurrent requests); the caches and the limit rules they use live as long as the
    schema, so the validation cache hits across requests. `caches=False` leaves out the
    parser and validation caches (to measure what they save); with `tracing`, every
    operation has a span."""
    limits = limits or Limits()
    rules: list[type[ASTValidationRule]] = [document_limits_rule(limits)]
    parse = cached_parser(PARSER_CACHE_SIZE)
    operation_names = OperationNames()
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    built = InboxGraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*CONVERSATION_TYPES, InboxConversation],
        federation_version=FEDERATION_VERSION,
        extensions=[
            lambda: OperationObserver(operation_names, tracing),
            lambda: ErrorCodes(max_tokens=limits.max_tokens),
            lambda: MaxTokensLimiter(limits.max_tokens),
            lambda: AddValidationRules(rules),
            *(
                (
                    lambda: ParseCache(parse),
                    lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
                )
                if caches
                else ()
            ),
            lambda: UpstreamBudget(limits.max_upstream_calls),
            OperationTransports,
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
    install_input_builders(built)
    return built


#: The schema with default limits: what `inboxgraph schema` prints.
schema = build_schema()
