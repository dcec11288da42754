"""Per-request dataloaders: batch, dedupe and order the updates of one provider."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader

from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.gateway import ProviderGateway
from inboxgraph.resolvers.keys import canonical_key
from inboxgraph.resolvers.results import update_failed
from inboxgraph.schema.enums import UpdateErrorCode
from inboxgraph.schema.results import ConversationUpdated, UpdateConversationResult

logger = logging.getLogger("inboxgraph.resolvers")


async def apply_updates(
    gateway: ProviderGateway[Any, Any], updates: Sequence[Any]
) -> list[UpdateConversationResult]:
    """Apply one batch of validated updates for one provider; one result per update, in order.

    - Identical updates are sent once and share their result.
    - Updates to different targets run concurrently (bounded by the provider's pacing).
    - Distinct updates to the same target run one after another, ordered by their last
      position in the batch, so the final state is the one a serial run would leave.
    - A failing update never fails another.
    """
    keys = [canonical_key(update) for update in updates]
    unique: dict[str, Any] = {}
    last_position: dict[str, int] = {}
    for position, (key, update) in enumerate(zip(keys, updates, strict=True)):
        unique.setdefault(key, update)
        last_position[key] = position

    by_target: dict[Hashable, list[str]] = defaultdict(list)
    for key in sorted(unique, key=last_position.__getitem__):
        by_target[gateway.adapter.target_key(unique[key])].append(key)

    outcomes: dict[str, UpdateConversationResult] = {}

    async def apply_in_order(target_keys: list[str]) -> None:
        for key in target_keys:
            outcomes[key] = await apply_one(gateway, unique[key])

    await asyncio.gather(*(apply_in_order(group) for group in by_target.values()))
    return [outcomes[key] for key in keys]


async def apply_one(gateway: ProviderGateway[Any, Any], update: Any) -> UpdateConversationResult:
    provider = gateway.adapter.provider
    try:
        conversation = await gateway.update(update)
    except ProviderError as error:
        return update_failed(provider, error)
    except Exception:
        logger.exception("%s: unexpected failure while updating", gateway.name)
        return update_failed(
            provider,
            ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                f"inboxgraph failed while talking to {gateway.name}; the update may not "
                "have been applied",
            ),
        )
    return ConversationUpdated(provider=provider, conversation=conversation)


def update_loader(gateway: ProviderGateway[Any, Any]) -> DataLoader[Any, UpdateConversationResult]:
    """A loader whose batch is every update of one tick. It never caches across batches:
    a later mutation field in the same request that repeats an update is applied again."""

    async def batch(updates: list[Any]) -> list[UpdateConversationResult]:
        return await apply_updates(gateway, updates)

    return DataLoader(batch, cache=False)
