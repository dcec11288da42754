"""A gate watches each update of a batch go out: entered right before it is sent, told its
final outcome once known; a refusing gate sends nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from inboxgraph.domain.ebay import (
    EbayConversation,
    EbayConversationStatus,
    EbayConversationType,
    EbayConversationUpdate,
)
from inboxgraph.domain.outcomes import (
    ConversationUpdated,
    UpdateErrorCode,
    UpdateFailed,
    UpdateOutcome,
)
from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.domain.puffle import PuffleConversationStatus, PuffleConversationUpdate
from inboxgraph.update_batches import apply_updates
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import answer, puffle_id
from tests.support import live_settings, mock_upstream, sandbox_settings


class RecordingGate:
    def __init__(self, refuse: set[ConversationUpdate] | None = None) -> None:
        self.events: list[tuple[str, ConversationUpdate, object]] = []
        self._refuse = refuse or set()

    @asynccontextmanager
    async def sending(self, update: ConversationUpdate) -> AsyncIterator[UpdateOutcome | None]:
        self.events.append(("sending", update, None))
        if update in self._refuse:
            yield UpdateFailed(update.provider, UpdateErrorCode.CANCELLED, "refused")
        else:
            yield None
        self.events.append(("sent", update, None))

    async def settled(self, update: ConversationUpdate, outcome: UpdateOutcome) -> None:
        self.events.append(("settled", update, outcome))


def puffle(n: int, status: PuffleConversationStatus) -> PuffleConversationUpdate:
    return PuffleConversationUpdate(puffle_id(n), status=status)


def puffle_answers(request: httpx.Request) -> httpx.Response:
    status, body = answer(request.method, request.url.path, json.loads(request.content))
    return httpx.Response(status, json=body)


async def test_each_update_is_claimed_right_before_it_is_sent_and_settled_after() -> None:
    transport, seen = mock_upstream(puffle_answers)
    upstreams = connect_upstreams(live_settings(), transport=transport)
    archive, unarchive = (
        puffle(1, PuffleConversationStatus.ARCHIVED),
        puffle(1, PuffleConversationStatus.ACTIVE),
    )
    gate = RecordingGate()
    outcomes = await apply_updates(upstreams.client(Provider.PUFFLE), [archive, unarchive], gate)
    assert [(kind, update) for kind, update, _ in gate.events] == [
        ("sending", archive),
        ("sent", archive),
        ("settled", archive),
        ("sending", unarchive),
        ("sent", unarchive),
        ("settled", unarchive),
    ]
    assert [outcome for kind, _, outcome in gate.events if kind == "settled"] == outcomes
    assert len(seen) == 2


async def test_an_update_the_gate_refuses_is_not_sent() -> None:
    transport, seen = mock_upstream(puffle_answers)
    upstreams = connect_upstreams(live_settings(), transport=transport)
    kept, refused = (
        puffle(1, PuffleConversationStatus.ARCHIVED),
        puffle(2, PuffleConversationStatus.ARCHIVED),
    )
    gate = RecordingGate(refuse={refused})
    outcomes = await apply_updates(upstreams.client(Provider.PUFFLE), [kept, refused], gate)
    assert isinstance(outcomes[0], ConversationUpdated)
    assert isinstance(outcomes[1], UpdateFailed)
    assert outcomes[1].code is UpdateErrorCode.CANCELLED
    assert [request.url.path for request in seen] == [f"/api/conversations/{puffle_id(1)}"]
    assert ("settled", refused, outcomes[1]) in gate.events


async def test_an_update_completed_by_a_read_is_settled_once_complete() -> None:
    # eBay answers an update with nothing: the read flag comes from the read after it.
    upstreams = connect_upstreams(sandbox_settings())
    update = EbayConversationUpdate(
        "1000000000001",
        EbayConversationType.FROM_MEMBERS,
        conversation_status=EbayConversationStatus.ARCHIVE,
    )
    gate = RecordingGate()
    [outcome] = await apply_updates(upstreams.client(Provider.EBAY), [update], gate)
    settled = [o for kind, _, o in gate.events if kind == "settled"]
    assert settled == [outcome]
    assert isinstance(outcome, ConversationUpdated)
    assert isinstance(outcome.conversation, EbayConversation)
    assert outcome.conversation.read is False
