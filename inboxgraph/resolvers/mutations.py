"""The update mutations, provider-native and provider-neutral: validate, then hand each
update to the request's loader of its provider."""

from __future__ import annotations

import asyncio

from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.domain.actions import ConversationAction, Unsupported
from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed, UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.schema.actions import ConversationActionInput
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.schema.refs import ConversationRef
from inboxgraph.update_batches import validation_failure

MAX_BATCH_INPUTS = 100


async def dispatch(context: RequestContext, input: UpdateConversationInput) -> UpdateOutcome:
    """Validate one input against its provider's documented rules, then queue it."""
    return await dispatch_update(context, input.variant().to_update())


async def dispatch_update(context: RequestContext, update: ConversationUpdate) -> UpdateOutcome:
    failure = validation_failure(context.clients[update.provider], update)
    if failure is not None:
        return failure
    return await context.update_loader(update.provider).load(update)


async def update_conversation(
    info: Info[RequestContext, None], input: UpdateConversationInput
) -> UpdateOutcome:
    return await dispatch(info.context, input)


async def update_conversations(
    info: Info[RequestContext, None], inputs: list[UpdateConversationInput]
) -> list[UpdateOutcome]:
    _at_most(MAX_BATCH_INPUTS, "updateConversations", "inputs", len(inputs))
    return list(await asyncio.gather(*(dispatch(info.context, i) for i in inputs)))


async def apply_action(
    context: RequestContext, ref: ConversationRef, action: ConversationAction
) -> UpdateOutcome:
    """The provider's own update for a provider-neutral action, or UNSUPPORTED (nothing sent)."""
    target = ref.to_ref()
    update = target.update_for(action)
    if isinstance(update, Unsupported):
        return UpdateFailed(
            provider=target.provider,
            code=UpdateErrorCode.UNSUPPORTED,
            message=f"{target.provider.name} cannot {action.name}: {update.reason}",
            field="action",
        )
    return await dispatch_update(context, update)


async def apply_conversation_action(
    info: Info[RequestContext, None], ref: ConversationRef, action: ConversationAction
) -> UpdateOutcome:
    return await apply_action(info.context, ref, action)


async def apply_conversation_actions(
    info: Info[RequestContext, None], items: list[ConversationActionInput]
) -> list[UpdateOutcome]:
    _at_most(MAX_BATCH_INPUTS, "applyConversationActions", "items", len(items))
    return list(await asyncio.gather(*(apply_action(info.context, i.ref, i.action) for i in items)))


def _at_most(limit: int, field: str, what: str, given: int) -> None:
    if given > limit:
        raise GraphQLError(
            f"{field} takes at most {limit} {what}, got {given}",
            extensions={"code": "BAD_USER_INPUT"},
        )
