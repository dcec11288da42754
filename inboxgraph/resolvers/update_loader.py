"""Per-request update batches: dedupe, order and isolate the updates of one provider."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader

from inboxgraph.domain.outcomes import (
    ConversationUpdated,
    UpdateErrorCode,
    UpdateFailed,
    UpdateOutcome,
)
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import ProviderError
from inboxgraph.request_scope import current_request_id

logger = logging.getLogger("inboxgraph.resolvers")


async def apply_updates(
    client: ProviderClient[Any, Any, Any], updates: Sequence[ConversationUpdate]
) -> list[UpdateOutcome]:
    """Apply one batch of validated updates for one provider; one outcome per update, in order.

    - Identical updates (equal records) are sent once and share their outcome.
    - Updates to different targets run concurrently (bounded by the provider's pacing).
    - Distinct updates to the same target run one after another, ordered by their last
      position in the batch, so the final state is the one a serial run would leave.
    - A failing update never fails another.
    """
    last_position = {update: position for position, update in enumerate(updates)}
    by_target: dict[Hashable, list[ConversationUpdate]] = defaultdict(list)
    for update in sorted(last_position, key=last_position.__getitem__):
        by_target[client.adapter.target(update)].append(update)

    outcomes: dict[ConversationUpdate, UpdateOutcome] = {}

    async def apply_in_order(target_updates: list[ConversationUpdate]) -> None:
        for update in target_updates:
            outcomes[update] = await apply_one(client, update)

    await asyncio.gather(*(apply_in_order(group) for group in by_target.values()))
    return [outcomes[update] for update in updates]


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


def update_loader(
    client: ProviderClient[Any, Any, Any],
) -> DataLoader[ConversationUpdate, UpdateOutcome]:
    """A loader whose batch is every update of one tick. It never caches across batches:
    a later mutation field in the same request that repeats an update is applied again."""

    async def batch(updates: list[ConversationUpdate]) -> list[UpdateOutcome]:
        return await apply_updates(client, updates)

    return DataLoader(batch, cache=False)
