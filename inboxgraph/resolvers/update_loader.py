"""Per-request update batches: one dataloader per provider, whose batch is every update of
one tick (see `update_batches.apply_updates`)."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader

from inboxgraph import update_batches
from inboxgraph.domain.outcomes import UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.observability import metrics
from inboxgraph.providers.client import ProviderClient


def update_loader(
    client: ProviderClient[Any, Any, Any],
) -> DataLoader[ConversationUpdate, UpdateOutcome]:
    """A loader whose batch is every update of one tick. It never caches across batches:
    a later mutation field in the same request that repeats an update is applied again."""

    provider = client.adapter.provider.name

    async def batch(updates: list[ConversationUpdate]) -> list[UpdateOutcome]:
        metrics.loader_batch(provider, "update", len(updates))
        return await update_batches.apply_updates(client, updates)

    return DataLoader(batch, cache=False)
