"""`updateConversation` and `updateConversations`: validate, then hand to the loaders."""

from __future__ import annotations

import asyncio
import logging

from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.domain.outcomes import UpdateOutcome
from inboxgraph.providers.errors import InvalidInput
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.resolvers.update_loader import internal_failure
from inboxgraph.schema.inputs import UpdateConversationInput

logger = logging.getLogger("inboxgraph.resolvers")

MAX_BATCH_INPUTS = 100


async def dispatch(context: RequestContext, input: UpdateConversationInput) -> UpdateOutcome:
    """Validate one input against its provider's documented rules, then queue it."""
    update = input.variant().to_update()
    try:
        context.clients[update.provider].adapter.validate(update)
    except InvalidInput as error:
        return error.failed(update.provider)
    except Exception:
        logger.exception("%s: unexpected failure while validating", update.provider.name)
        return internal_failure(update, may_have_been_applied=False)
    return await context.update_loader(update.provider).load(update)


async def update_conversation(
    info: Info[RequestContext, None], input: UpdateConversationInput
) -> UpdateOutcome:
    return await dispatch(info.context, input)


async def update_conversations(
    info: Info[RequestContext, None], inputs: list[UpdateConversationInput]
) -> list[UpdateOutcome]:
    if len(inputs) > MAX_BATCH_INPUTS:
        raise GraphQLError(
            f"updateConversations takes at most {MAX_BATCH_INPUTS} inputs, got {len(inputs)}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return list(await asyncio.gather(*(dispatch(info.context, i) for i in inputs)))
