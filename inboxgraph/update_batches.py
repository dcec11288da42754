"""Update batches: validate, then dedupe, order and isolate the updates of one provider.

The same code sends `updateConversations`' batches (through a per-request dataloader) and
bulk jobs' (through a `SendGate`, which records each item as it is claimed and settled).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
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
    is sent) and left once the send returned; `sending_together` is the same for updates
    sent in one call of the provider's batch form (its value: the outcomes of those not to
    send); `settled` tells each update's final outcome."""

    def sending(
        self, update: ConversationUpdate
    ) -> AbstractAsyncContextManager[UpdateOutcome | None]: ...

    def sending_together(
        self, updates: Sequence[ConversationUpdate]
    ) -> AbstractAsyncContextManager[Mapping[ConversationUpdate, UpdateOutcome]]: ...

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
    - Where the provider has a batch form, updates that fit it travel several to a call
      (`send_in_rounds`); the others, and every update of other providers, one by one.
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
    if client.adapter.max_batch_size > 0:
        await send_in_rounds(client, list(by_target.values()), outcomes, gate)
    else:

        async def apply_in_order(chain: list[ConversationUpdate]) -> None:
            for update in chain:
                await apply_alone(client, update, outcomes, gate)

        await asyncio.gather(*(apply_in_order(chain) for chain in by_target.values()))
    completed = await complete_conversations(client, outcomes)
    if gate is not None:
        for update in completed:
            await gate.settled(update, outcomes[update])
    return [outcomes[update] for update in updates]


async def send_in_rounds(
    client: ProviderClient[Any, Any, Any],
    chains: Sequence[Sequence[ConversationUpdate]],
    outcomes: dict[ConversationUpdate, UpdateOutcome],
    gate: SendGate | None = None,
) -> None:
    """Apply each target's chain of updates in order, through the batch form where it fits
    (outcomes are set in place).

    Round k sends the k-th update of every chain that has one, and ends before round k+1
    starts: two updates to one target never share a call, and the later one is sent
    after the earlier one's answer. A round's updates are cut into calls by `chunks`.
    """
    adapter = client.adapter
    for depth in range(max((len(chain) for chain in chains), default=0)):
        round_updates = [chain[depth] for chain in chains if depth < len(chain)]
        batched = [u for u in round_updates if adapter.batch_key(u) is not None]
        alone = [u for u in round_updates if adapter.batch_key(u) is None]
        await asyncio.gather(
            *(apply_chunk(client, chunk, outcomes, gate) for chunk in chunks(client, batched)),
            *(apply_alone(client, update, outcomes, gate) for update in alone),
        )


def chunks(
    client: ProviderClient[Any, Any, Any], updates: Sequence[ConversationUpdate]
) -> list[list[ConversationUpdate]]:
    """`updates` in calls of at most the provider's batch size, in order, each call of one
    budget scope and with distinct batch keys (answers are matched to items by key)."""
    adapter = client.adapter
    filling: dict[str, list[tuple[set[Hashable], list[ConversationUpdate]]]] = defaultdict(list)
    for update in updates:
        key = adapter.batch_key(update)
        open_calls = filling[adapter.budget_scope(update)]
        for keys, call in open_calls:
            if len(call) < adapter.max_batch_size and key not in keys:
                break
        else:
            keys, call = set(), []
            open_calls.append((keys, call))
        keys.add(key)
        call.append(update)
    return [call for calls in filling.values() for _, call in calls]


async def apply_chunk(
    client: ProviderClient[Any, Any, Any],
    chunk: Sequence[ConversationUpdate],
    outcomes: dict[ConversationUpdate, UpdateOutcome],
    gate: SendGate | None = None,
) -> None:
    """One call of the batch form, for the updates the gate lets go; each update gets its
    own outcome (set in place)."""
    if gate is None:
        outcomes.update(await send_chunk(client, chunk))
        return
    async with gate.sending_together(chunk) as refused:
        outcomes.update(refused)
        to_send = [update for update in chunk if update not in refused]
        if to_send:
            outcomes.update(await send_chunk(client, to_send))
    for update in chunk:
        if not needs_completion(outcomes[update]):
            await gate.settled(update, outcomes[update])


async def send_chunk(
    client: ProviderClient[Any, Any, Any], chunk: Sequence[ConversationUpdate]
) -> dict[ConversationUpdate, UpdateOutcome]:
    """The outcome of each update of one call of the batch form."""
    try:
        results = await client.update_batch(chunk)
    except Exception:
        logger.exception("%s: unexpected failure while updating a batch", client.name)
        return {update: internal_failure(update, may_have_been_applied=True) for update in chunk}
    return {
        update: result.failed(update.provider)
        if isinstance(result, ProviderError)
        else ConversationUpdated(provider=update.provider, conversation=result)
        for update, result in zip(chunk, results, strict=True)
    }


async def apply_alone(
    client: ProviderClient[Any, Any, Any],
    update: ConversationUpdate,
    outcomes: dict[ConversationUpdate, UpdateOutcome],
    gate: SendGate | None = None,
) -> None:
    """One update sent on its own, past the gate (its outcome is set in place)."""
    if gate is None:
        outcomes[update] = await apply_one(client, update)
        return
    async with gate.sending(update) as refused:
        outcomes[update] = refused or await apply_one(client, update)
    if not needs_completion(outcomes[update]):
        await gate.settled(update, outcomes[update])


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
