"""`idempotencyKey`: a repeat of a mutation (same caller, same key, same input) gets the
first answer again, and nothing is sent to any provider; the same key with another input
is refused."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, TypeVar

import strawberry
from graphql import GraphQLError

from inboxgraph.domain import codec
from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.request_scope import seconds_left
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.shared.idempotency import Answered, Conflict, StillRunning
from inboxgraph.shared.redis import SharedStateUnavailable

logger = logging.getLogger("inboxgraph.resolvers")

MAX_KEY_LENGTH = 255
#: Without a request deadline (over a websocket), how long a repeat waits for the first.
DEFAULT_WAIT_SECONDS = 30.0
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"

T = TypeVar("T")

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Makes a repeat safe: the same key with the same input (same caller, within "
            "INBOXGRAPH_IDEMPOTENCY_SECONDS) returns the first answer and sends nothing; "
            "the same key with another input is refused (IDEMPOTENCY_KEY_REUSED)."
        )
    ),
]


async def once(
    context: RequestContext,
    key: str | None,
    operation: str,
    updates: Sequence[ConversationUpdate],
    run: Callable[[], Awaitable[T]],
) -> T:
    """`run()`'s answer; or, when the caller used `key` before for the same `operation` and
    `updates`, the answer it got then. SharedStateUnavailable (nothing run) when the
    records cannot be reached."""
    if key is None:
        return await run()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise GraphQLError(
            f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} characters",
            extensions={"code": "BAD_USER_INPUT"},
        )
    fingerprint = codec.fingerprint([operation, list(updates)])
    records = context.idempotency
    left = seconds_left()
    wait = DEFAULT_WAIT_SECONDS if left is None else max(left, 0.0)
    claim = await records.claim(context.tenant, key, fingerprint, wait=wait)
    if isinstance(claim, Answered):
        answer: T = codec.loads(claim.answer)
        return answer
    if isinstance(claim, Conflict):
        raise GraphQLError(
            f"idempotencyKey {key!r} was first used with a different input (another "
            "mutation or other updates); a key stands for one input: use a new key for a "
            "new input",
            extensions={"code": IDEMPOTENCY_KEY_REUSED},
        )
    if isinstance(claim, StillRunning):
        raise GraphQLError(
            f"a request with idempotencyKey {key!r} and this input is still running; "
            "send it again once that one has answered",
            extensions={"code": IDEMPOTENCY_KEY_IN_USE},
        )
    try:
        answer = await run()
    except BaseException:
        try:
            await records.release(context.tenant, key, fingerprint)
        except SharedStateUnavailable:
            logger.warning("idempotencyKey left claimed until it expires (Redis unreachable)")
        raise
    try:
        await records.answer(context.tenant, key, fingerprint, codec.dumps(answer))
    except SharedStateUnavailable as error:
        logger.warning("the answer to an idempotencyKey was not kept: %s", error)
    return answer


def state_unavailable(update: ConversationUpdate, error: SharedStateUnavailable) -> UpdateFailed:
    """An update not sent because the idempotency records could not be reached."""
    return UpdateFailed(
        provider=update.provider,
        code=UpdateErrorCode.STATE_UNAVAILABLE,
        message=f"{error}; nothing was sent (idempotencyKey could not be checked)",
        retryable=True,
    )


def shared_state_error(error: SharedStateUnavailable) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": UpdateErrorCode.STATE_UNAVAILABLE.name})
