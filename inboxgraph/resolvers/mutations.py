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
from inboxgraph.resolvers.idempotency import IdempotencyKey, once, state_unavailable
from inboxgraph.schema.actions import ConversationActionInput
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.schema.refs import ConversationRef
from inboxgraph.shared.redis import SharedStateUnavailable
from inboxgraph.update_batches import validation_failure

MAX_BATCH_INPUTS = 100
#: Where more updates than one request takes can go.
BULK_HINT = "; queue more as a job with startBulkUpdate"


async def dispatch_update(context: RequestContext, update: ConversationUpdate) -> UpdateOutcome:
    """Validate one update against its provider's documented rules, then queue it."""
    failure = validation_failure(context.clients[update.provider], update)
    if failure is not None:
        return failure
    return await context.update_loader(update.provider).load(update)


async def update_conversation(
    info: Info[RequestContext, None],
    input: UpdateConversationInput,
    idempotency_key: IdempotencyKey = None,
) -> UpdateOutcome:
    update = input.variant().to_update()
    outcomes = await _dispatch_once(info.context, idempotency_key, "updateConversation", [update])
    return outcomes[0]


async def update_conversations(
    info: Info[RequestContext, None],
    inputs: list[UpdateConversationInput],
    idempotency_key: IdempotencyKey = None,
) -> list[UpdateOutcome]:
    at_most(MAX_BATCH_INPUTS, "updateConversations", "inputs", len(inputs), more=BULK_HINT)
    updates = [i.variant().to_update() for i in inputs]
    return await _dispatch_once(info.context, idempotency_key, "updateConversations", updates)


async def _dispatch_once(
    context: RequestContext, key: str | None, operation: str, updates: list[ConversationUpdate]
) -> list[UpdateOutcome]:
    async def dispatch_all() -> list[UpdateOutcome]:
        return list(await asyncio.gather(*(dispatch_update(context, u) for u in updates)))

    try:
        return await once(context, key, operation, updates, dispatch_all)
    except SharedStateUnavailable as error:
        return [state_unavailable(update, error) for update in updates]


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
    at_most(MAX_BATCH_INPUTS, "applyConversationActions", "items", len(items))
    return list(await asyncio.gather(*(apply_action(info.context, i.ref, i.action) for i in items)))


def at_most(limit: int, field: str, what: str, given: int, *, more: str = "") -> None:
    """A BAD_USER_INPUT error when `given` is over `limit`."""
    if given > limit:
        raise GraphQLError(
            f"{field} takes at most {limit} {what}, got {given}{more}",
            extensions={"code": "BAD_USER_INPUT"},
        )
