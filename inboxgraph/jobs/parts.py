"""A job's parts: sets of its items that runners may send at the same time, each part on
its own, so that several workers share one job.

- Every update of one conversation is in the same part, so a part's runner sends them one
  after another, in input order, as `updateConversations` does; updates of different
  conversations have no order to keep.
- A part is about `PART_SIZE` items, taken in input order; a conversation seen again
  later joins the part it was first seen in.
- The updates of a provider with a documented rate limit (Ayrshare, HighLevel) go in one
  part per rate-limit scope, whatever their number: the limit sets their pace however
  many runners send them, and runners sending them at once would only compete for the
  budget until their items' pacing refusals ran out (see `runner.PACING_ATTEMPTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.providers.base import ProviderAdapter

#: Items per part (a conversation's later updates can make one bigger): one batch of the
#: runner's, so that a worker running several parts keeps its provider slots busy while a
#: batch waits for its last answer.
PART_SIZE = 100


@dataclass(frozen=True)
class Partition:
    """How to tell an update's part: `target` is what it changes (updates with the same
    target are sent in order), `paced` its rate-limit scope when its provider documents a
    rate limit (None otherwise)."""

    target: Callable[[ConversationUpdate], Hashable]
    paced: Callable[[ConversationUpdate], Hashable | None]


def split_into_parts(
    updates: Sequence[ConversationUpdate], partition: Partition, size: int = PART_SIZE
) -> list[list[int]]:
    """The indices of `updates` in parts, each in input order; at least one part."""
    parts: list[list[int]] = [[]]
    filling = 0
    part_of: dict[tuple[str, Hashable], int] = {}
    for index, update in enumerate(updates):
        scope = partition.paced(update)
        key = ("target", partition.target(update)) if scope is None else ("paced", scope)
        part = part_of.get(key)
        if part is None:
            if scope is not None or len(parts[filling]) >= size:
                parts.append([])
                part = len(parts) - 1
                if scope is None:
                    filling = part
            else:
                part = filling
            part_of[key] = part
        parts[part].append(index)
    return [part for part in parts if part] or [[]]


def provider_partition(adapters: Mapping[Provider, ProviderAdapter[Any, Any, Any]]) -> Partition:
    """The partition the providers' adapters tell: their targets, and the budget scopes of
    those with a rate limit."""

    def target(update: ConversationUpdate) -> Hashable:
        return (update.provider, adapters[update.provider].target(update))

    def paced(update: ConversationUpdate) -> Hashable | None:
        adapter = adapters[update.provider]
        if adapter.rate_limit is None:
            return None
        return (update.provider, adapter.budget_scope(update))

    return Partition(target, paced)
