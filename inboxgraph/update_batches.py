"""Update batches: validate, then dedupe, order and isolate the updates of one provider.

The same code sends `updateConversations`' batches (through a per-request dataloader) and
bulk jobs' (through a `SendGate`, which records each item as it is claimed and settled).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any, Protocol, TypeGuard

from inboxgraph.domain.outcomes import (
    ConversationUpdated,
    UpdateErrorCode,
    UpdateFailed,
    UpdateOutcome,
)
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import InvalidInput, ProviderError
from inboxgraph.request_scope import current_request_id

logger = logging.getLogger("inboxgraph.updates")


class SendGate(Protocol):
    """Watches each update of a batch go out: `sending` is entered right before the update
    is sent (its value, when not None, is the outcome the update gets instead, and nothing
    is sent) and left once the send returned; `settled` tells each update's final outcome."""

    def sending(
        self, update: ConversationUpdate
    ) -> AbstractAsyncContextManager[UpdateOutcome | None]: ...

    async def settled(self, update: ConversationUpdate, outcome: UpdateOutcome) -> None: ...


def validation_failure(
    client: ProviderClient[Any, Any, Any], update: ConversationUpdate
) -> UpdateFailed | None:
    """Why `update` breaks its provider's documented rules, or None when it breaks none."""
    try:
        client.adapter.validate(update)
    except InvalidInput as error:
        return error.failed(update.provider)
    except Exception:
        logger.exception("%s: unexpected failure while validating", update.provider.name)
        return internal_failure(update, may_have_been_applied=False)
    return None


async def apply_updates(
    client: ProviderClient[Any, Any, Any],
    updates: Sequence[ConversationUpdate],
    gate: SendGate | None = None,
) -> list[UpdateOutcome]:
    """Apply one batch of validated updates for one provider; one outcome per update, in order.

    - Identical updates (equal records) are sent once and share their outcome.
    - Updates to different targets run concurrently (bounded by the provider's pacing).
    - Distinct updates to the same target run one after another, ordered by their last
      position in the batch, so the final state is the one a serial run would leave.
    - A failing update never fails another.
    - A conversation whose update answer leaves part of its state unknown (eBay answers
      nothing, so a status update does not tell the read flag) is completed by one read
      of the batch's such conversations, so no field is null merely because the update
      did not touch it.
    """
    last_position = {update: position for position, update in enumerate(updates)}
    by_target: dict[Hashable, list[ConversationUpdate]] = defaultdict(list)
    for update in sorted(last_position, key=last_position.__getitem__):
        by_target[client.adapter.target(update)].append(update)

    outcomes: dict[ConversationUpdate, UpdateOutcome] = {}

    async def apply_in_order(target_updates: list[ConversationUpdate]) -> None:
        for update in target_updates:
            if gate is None:
                outcomes[update] = await apply_one(client, update)
                continue
            async with gate.sending(update) as refused:
                outcomes[update] = refused or await apply_one(client, update)
            if not needs_completion(outcomes[update]):
                await gate.settled(update, outcomes[update])

    await asyncio.gather(*(apply_in_order(group) for group in by_target.values()))
    completed = await complete_conversations(client, outcomes)
    if gate is not None:
        for update in completed:
            await gate.settled(update, outcomes[update])
    return [outcomes[update] for update in updates]


def needs_completion(outcome: UpdateOutcome) -> TypeGuard[ConversationUpdated]:
    """Whether an update's outcome left part of the conversation unknown."""
    return isinstance(outcome, ConversationUpdated) and not outcome.conversation.complete


async def complete_conversations(
    client: ProviderClient[Any, Any, Any], outcomes: dict[ConversationUpdate, UpdateOutcome]
) -> list[ConversationUpdate]:
    """Fill in, with one read, what updated conversations left unknown (in place); the
    updates whose outcome needed it, whether or not the read could tell more."""
    partial = {update: outcome for update, outcome in outcomes.items() if needs_completion(outcome)}
    if not partial:
        return []
    refs = list(dict.fromkeys(o.conversation.ref() for o in partial.values()))
    try:
        found = await client.read(refs)
    except ProviderError as error:
        # The updates stand; what the read would have told stays unknown (null).
        logger.info("%s: read after update failed (%s)", client.name, error.code.name)
        return list(partial)
    except Exception:
        logger.exception("%s: unexpected failure reading after an update", client.name)
        return list(partial)
    for update, outcome in partial.items():
        read = found.get(outcome.conversation.ref())
        if read is not None:
            outcomes[update] = replace(
                outcome, conversation=outcome.conversation.completed_by(read)
            )
    return list(partial)


async def apply_one(
    client: ProviderClient[Any, Any, Any], update: ConversationUpdate
) -> UpdateOutcome:
    """One update's outcome; any failure, expected or not, becomes this update's UpdateFailed."""
    try:
        conversation = await client.update(update)
    except ProviderError as error:
        return error.failed(update.provider)
    except Exception:
        logger.exception("%s: unexpected failure while updating", client.name)
        return internal_failure(update, may_have_been_applied=True)
    return ConversationUpdated(provider=update.provider, conversation=conversation)


def internal_failure(update: ConversationUpdate, *, may_have_been_applied: bool) -> UpdateFailed:
    """An unexpected failure of inboxgraph itself, told without any Python text."""
    sent = "it may have been sent" if may_have_been_applied else "nothing was sent to the provider"
    return UpdateFailed(
        provider=update.provider,
        code=UpdateErrorCode.INTERNAL,
        message=(
            f"inboxgraph failed unexpectedly while handling this update ({sent}); "
            f"report request id {current_request_id.get()}"
        ),
        may_have_been_applied=may_have_been_applied,
    )
