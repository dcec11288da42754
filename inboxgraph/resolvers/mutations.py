"""`updateConversation` and `updateConversations`: validate, then hand to the loaders."""

from __future__ import annotations

import asyncio

from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.providers.errors import InvalidInput
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.resolvers.results import update_failed
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.schema.results import UpdateConversationResult

MAX_BATCH_INPUTS = 100


async def dispatch(
    context: RequestContext, input: UpdateConversationInput
) -> UpdateConversationResult:
    """Validate one input against its provider's documented rules, then queue it."""
    provider, update = input.chosen()
    adapter = context.services.gateway(provider).adapter
    try:
        adapter.validate(update)
    except InvalidInput as error:
        return update_failed(provider, error)
    return await context.update_loader(provider).load(update)


async def update_conversation(
    info: Info[RequestContext, None], input: UpdateConversationInput
) -> UpdateConversationResult:
    return await dispatch(info.context, input)


async def update_conversations(
    info: Info[RequestContext, None], inputs: list[UpdateConversationInput]
) -> list[UpdateConversationResult]:
    if len(inputs) > MAX_BATCH_INPUTS:
        raise GraphQLError(
            f"updateConversations takes at most {MAX_BATCH_INPUTS} inputs, got {len(inputs)}"
        )
    return list(await asyncio.gather(*(dispatch(info.context, i) for i in inputs)))
