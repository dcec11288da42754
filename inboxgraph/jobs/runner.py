"""Running a part of a job: its items go through the same validation, batches, pacing and
provider clients as `updateConversations`, in batches of `BATCH_SIZE` in input order, each
item claimed right before it is sent and recorded as soon as its outcome is final. One
runner may run many parts (of one job or several) at once: they share its provider slots,
so that at most a provider's concurrency of items is SENDING per runner.

- Cancellation is seen at the next claim: nothing claimed after it is sent, and every
  item not sent ends CANCELLED.
- An item the pacing (or the provider's 429) refused was not sent: it is put back, with
  the later updates of its conversation, and tried again after a wait, so a job keeps to
  the provider's rate limit instead of failing its items.
- Items a runner left SENDING when it stopped may have been sent: an update that is safe
  to repeat is sent again; any other is reported INTERRUPTED, never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from inboxgraph.domain.jobs import BulkJobState, ItemState, cancelled, interrupted
from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed, UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.jobs.store import Claim, JobItem, JobRun
from inboxgraph.providers.client import ProviderClient
from inboxgraph.request_scope import current_request_id
from inboxgraph.shared.redis import SharedStateUnavailable
from inboxgraph.update_batches import apply_updates, internal_failure, validation_failure

logger = logging.getLogger("inboxgraph.jobs")

#: Items sent as one batch per provider, like one `updateConversations`.
BATCH_SIZE = 100
#: Times one item is put back after the pacing refused it, before its RATE_LIMITED stands.
PACING_ATTEMPTS = 30
#: The wait after a batch the pacing refused items of, doubling from the first to the last.
FIRST_PACING_WAIT = 1.0
LAST_PACING_WAIT = 30.0

AnyProviderClient = ProviderClient[Any, Any, Any]
TenantClients = Mapping[str, Mapping[Provider, AnyProviderClient]]
Sleep = Callable[[float], Awaitable[None]]


class JobRunner:
    """Runs parts of jobs with the provider clients of every tenant."""

    def __init__(
        self, tenants: TenantClients, *, batch_size: int = BATCH_SIZE, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._tenants = tenants
        self._batch_size = batch_size
        self._sleep = sleep
        self._slots: dict[tuple[str, Provider], asyncio.Semaphore] = {}

    def _provider_slots(self, tenant: str, client: AnyProviderClient) -> asyncio.Semaphore:
        """The turns to send one of a provider's calls, shared by every part this runner
        runs (the client's own pacing allows as many)."""
        key = (tenant, client.adapter.provider)
        if key not in self._slots:
            self._slots[key] = asyncio.Semaphore(client.adapter.max_concurrency)
        return self._slots[key]

    async def run(self, run: JobRun) -> None:
        """Send the part's unsent items, then finish it. Never raises: without Redis the
        part is left to whoever takes it over; after a failure of its own, every item of
        the part not settled is reported INTERNAL."""
        scope = current_request_id.set(f"job-{run.job_id}")
        try:
            await self._run(run)
        except SharedStateUnavailable as error:
            logger.warning("%s; the job's part is left for another worker to take over", error)
        except Exception:
            logger.exception("unexpected failure while running the job")
            await end_unexpectedly(run)
        finally:
            current_request_id.reset(scope)

    async def _run(self, run: JobRun) -> None:
        items = await run.items()
        if await run.cancel_requested():
            await end_cancelled(run, items)
            return
        updates = {item.index: item.update for item in items}
        pending = await recover(run, items)
        attempts: Counter[int] = Counter()
        wait = FIRST_PACING_WAIT
        while pending:
            if await run.cancel_requested():
                break
            batch, pending = pending[: self._batch_size], pending[self._batch_size :]
            sent = await self._send(run, batch, updates, attempts)
            if sent.stopped is Claim.LOST:
                logger.warning("the job's lease was lost (another worker may hold it); stopping")
                return
            if sent.stopped is Claim.CANCELLED:
                break
            if sent.put_back:
                pending = sorted([*sent.put_back, *pending])
                await self._sleep(wait)
                wait = min(wait * 2, LAST_PACING_WAIT)
            else:
                wait = FIRST_PACING_WAIT
        else:  # every item has its result
            await run.finish(BulkJobState.FINISHED)
            return
        await end_cancelled(run, await run.items())

    async def _send(
        self,
        run: JobRun,
        batch: Sequence[int],
        updates: Mapping[int, ConversationUpdate],
        attempts: Counter[int],
    ) -> _Sent:
        clients = self._tenants[run.tenant]
        invalid: dict[int, UpdateOutcome] = {}
        by_provider: dict[Provider, list[int]] = defaultdict(list)
        for index in batch:
            update = updates[index]
            failure = validation_failure(clients[update.provider], update)
            if failure is not None:
                invalid[index] = failure
            else:
                by_provider[update.provider].append(index)
        if invalid and not await run.settle(invalid):
            return _Sent(stopped=Claim.LOST)
        gates: list[_JobGate] = []
        sends = []
        for provider, indices in by_provider.items():
            positions: dict[ConversationUpdate, list[int]] = defaultdict(list)
            for index in indices:
                positions[updates[index]].append(index)
            client = clients[provider]
            slots = self._provider_slots(run.tenant, client)
            gates.append(gate := _JobGate(run, client, slots, positions, attempts))
            # In input order, duplicates included: the batch orders by last position.
            sends.append(apply_updates(gate.client, [updates[i] for i in indices], gate))
        await asyncio.gather(*sends)
        stops = {gate.stopped for gate in gates}
        return _Sent(
            stopped=next((s for s in (Claim.LOST, Claim.CANCELLED) if s in stops), None),
            put_back=[index for gate in gates for index in gate.put_back],
        )


@dataclass
class _Sent:
    """What one batch left: why the run must stop, if it must, and the items put back."""

    stopped: Claim | None = None
    put_back: list[int] = field(default_factory=list)


class _JobGate:
    """Claims one provider's items of a batch right before they are sent, and records them
    once settled; an item is SENDING only while it holds one of `slots`."""

    def __init__(
        self,
        run: JobRun,
        client: AnyProviderClient,
        slots: asyncio.Semaphore,
        indices: Mapping[ConversationUpdate, list[int]],
        attempts: Counter[int],
    ) -> None:
        self.client = client
        self._run = run
        self._indices = indices
        self._attempts = attempts
        self._slots = slots
        #: Conversations one of whose updates was put back: their later updates wait too.
        self._held_back: set[Hashable] = set()
        self._unsent: set[ConversationUpdate] = set()
        self.put_back: list[int] = []
        self.stopped: Claim | None = None

    @asynccontextmanager
    async def sending(self, update: ConversationUpdate) -> AsyncIterator[UpdateOutcome | None]:
        refusal = self._refusal(update)
        if refusal is not None:
            yield refusal
            return
        async with self._slots:
            yield await self._claim(update)

    @asynccontextmanager
    async def sending_together(
        self, updates: Sequence[ConversationUpdate]
    ) -> AsyncIterator[Mapping[ConversationUpdate, UpdateOutcome]]:
        # One call, so one of the provider's concurrent slots.
        async with self._slots:
            refused: dict[ConversationUpdate, UpdateOutcome] = {}
            for update in updates:
                refusal = self._refusal(update) or await self._claim(update)
                if refusal is not None:
                    refused[update] = refusal
            yield refused

    def _refusal(self, update: ConversationUpdate) -> UpdateOutcome | None:
        """The outcome `update` gets instead of being sent, when it must not be claimed."""
        if self.stopped is Claim.CANCELLED:
            return cancelled(update)
        if self.stopped is Claim.LOST or self.client.adapter.target(update) in self._held_back:
            return self._not_sent(update)
        return None

    async def _claim(self, update: ConversationUpdate) -> UpdateOutcome | None:
        """Claim `update`'s items (None), or the outcome it gets when the run stopped."""
        claim = await self._run.claim(self._indices[update])
        if claim is Claim.CLAIMED:
            return None
        self.stopped = claim
        return cancelled(update) if claim is Claim.CANCELLED else self._not_sent(update)

    async def settled(self, update: ConversationUpdate, outcome: UpdateOutcome) -> None:
        indices = self._indices[update]
        if self.stopped is Claim.LOST:
            return
        if update in self._unsent:
            self.put_back += indices
            return
        if _refused_by_pacing(outcome) and self._attempts[indices[0]] < PACING_ATTEMPTS:
            self._attempts.update(indices)
            self._held_back.add(self.client.adapter.target(update))
            if await self._run.release(indices):
                self.put_back += indices
            else:
                self.stopped = Claim.LOST
            return
        if not await self._run.settle(dict.fromkeys(indices, outcome)):
            self.stopped = Claim.LOST

    def _not_sent(self, update: ConversationUpdate) -> UpdateOutcome:
        self._unsent.add(update)
        return UpdateFailed(update.provider, UpdateErrorCode.INTERNAL, "not sent")


def _refused_by_pacing(outcome: UpdateOutcome) -> bool:
    return (
        isinstance(outcome, UpdateFailed)
        and outcome.code is UpdateErrorCode.RATE_LIMITED
        and not outcome.may_have_been_applied
    )


async def recover(run: JobRun, items: Sequence[JobItem]) -> list[int]:
    """The items to send, in input order, once the items an earlier runner left SENDING are
    dealt with: sent again when safe to repeat, otherwise reported INTERRUPTED."""
    again = [i.index for i in items if i.state is ItemState.SENDING and i.update.safe_to_repeat]
    unsafe = {
        i.index: interrupted(i.update)
        for i in items
        if i.state is ItemState.SENDING and not i.update.safe_to_repeat
    }
    if again or unsafe:
        logger.warning(
            "%d items were being sent when their runner stopped: %d sent again (safe to "
            "repeat), %d reported INTERRUPTED",
            len(again) + len(unsafe),
            len(again),
            len(unsafe),
        )
    if again:
        await run.release(again)
    if unsafe:
        await run.settle(unsafe)
    return sorted(i.index for i in items if i.state is ItemState.PENDING or i.index in again)


async def end_cancelled(run: JobRun, items: Sequence[JobItem]) -> None:
    """End a cancelled job's part: items never sent are CANCELLED; items left SENDING by a
    runner that stopped may have been sent, and are INTERRUPTED."""
    await run.settle(
        {
            item.index: cancelled(item.update)
            if item.state is ItemState.PENDING
            else interrupted(item.update)
            for item in items
            if item.state in {ItemState.PENDING, ItemState.SENDING}
        }
    )
    await run.finish(BulkJobState.CANCELLED)


async def end_unexpectedly(run: JobRun) -> None:
    """End a job's part its runner failed on: every item not settled is an INTERNAL
    failure."""
    try:
        items = await run.items()
        await run.settle(
            {
                item.index: internal_failure(
                    item.update, may_have_been_applied=item.state is ItemState.SENDING
                )
                for item in items
                if item.state in {ItemState.PENDING, ItemState.SENDING}
            }
        )
        await run.finish(BulkJobState.FINISHED)
    except Exception:
        logger.exception("could not end the job after an unexpected failure")
