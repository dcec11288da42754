"""A gate watches each update of a batch go out: entered right before it is sent, told its
final outcome once known; a refusing gate sends nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
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
from tests.support import live_settings, mock_upstream, record_upstream, sandbox_settings


class RecordingGate:
    def __init__(self, refuse: set[ConversationUpdate] | None = None) -> None:
        self.events: list[tuple[str, object, object]] = []
        self._refuse = refuse or set()

    @asynccontextmanager
    async def sending(self, update: ConversationUpdate) -> AsyncIterator[UpdateOutcome | None]:
        self.events.append(("sending", update, None))
        if update in self._refuse:
            yield UpdateFailed(update.provider, UpdateErrorCode.CANCELLED, "refused")
        else:
            yield None
        self.events.append(("sent", update, None))

    @asynccontextmanager
    async def sending_together(
        self, updates: Sequence[ConversationUpdate]
    ) -> AsyncIterator[Mapping[ConversationUpdate, UpdateOutcome]]:
        self.events.append(("sending together", tuple(updates), None))
        yield {
            update: UpdateFailed(update.provider, UpdateErrorCode.CANCELLED, "refused")
            for update in updates
            if update in self._refuse
        }
        self.events.append(("sent together", tuple(updates), None))

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


async def test_updates_sent_in_one_bulk_call_pass_the_gate_together() -> None:
    # eBay's bulk form carries several updates in one call: one gate entry for the call,
    # and only the updates the gate lets go are in it.
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    first, second, refused = (
        EbayConversationUpdate(conversation_id, conversation_type, read=True)
        for conversation_id, conversation_type in (
            ("1000000000001", EbayConversationType.FROM_MEMBERS),
            ("1000000000002", EbayConversationType.FROM_EBAY),
            ("1000000000003", EbayConversationType.FROM_MEMBERS),
        )
    )
    gate = RecordingGate(refuse={refused})
    outcomes = await apply_updates(upstreams.client(Provider.EBAY), [first, second, refused], gate)
    assert [(kind, subject) for kind, subject, _ in gate.events[:2]] == [
        ("sending together", (first, second, refused)),
        ("sent together", (first, second, refused)),
    ]
    [bulk_call] = [request for request in sent if request.method == "POST"]
    assert [item["conversationId"] for item in json.loads(bulk_call.content)["conversations"]] == [
        "1000000000001",
        "1000000000002",
    ]
    assert [type(outcome) for outcome in outcomes] == [
        ConversationUpdated,
        ConversationUpdated,
        UpdateFailed,
    ]
    settled = {subject: outcome for kind, subject, outcome in gate.events if kind == "settled"}
    assert settled == dict(zip([first, second, refused], outcomes, strict=True))
