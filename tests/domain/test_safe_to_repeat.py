"""Which updates may be sent twice: every set of a value, not what adds something each time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inboxgraph.domain.ayrshare import (
    AyrshareConversationStatus,
    AyrshareConversationUpdate,
    AyrsharePlatform,
)
from inboxgraph.domain.ebay import (
    EbayConversationStatus,
    EbayConversationType,
    EbayConversationUpdate,
)
from inboxgraph.domain.highlevel import HighLevelMessageStatus, HighLevelMessageStatusUpdate
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.domain.puffle import PuffleConversationStatus, PuffleConversationUpdate
from inboxgraph.domain.vcita import VcitaConversationUpdate

UID = "89m2pnabgozdvd9f"
LATER = datetime(2099, 1, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "update",
    [
        AyrshareConversationUpdate(
            AyrsharePlatform.INSTAGRAM, "c1", AyrshareConversationStatus.ARCHIVED
        ),
        PuffleConversationUpdate("p1", status=PuffleConversationStatus.ACTIVE, unread_count=4),
        HighLevelMessageStatusUpdate("m1", HighLevelMessageStatus.READ),
        EbayConversationUpdate(
            "1", EbayConversationType.FROM_MEMBERS, EbayConversationStatus.DELETE
        ),
        EbayConversationUpdate("1", EbayConversationType.FROM_EBAY, read=False),
        VcitaConversationUpdate(UID, archived=True, spam=True, deleted=True),
        # A follow-up with a date, or without a message, adds no note.
        VcitaConversationUpdate(
            UID, follow_up=True, follow_up_message="call", follow_up_date=LATER
        ),
        VcitaConversationUpdate(UID, follow_up=True),
        VcitaConversationUpdate(UID, follow_up=True, follow_up_message=""),
        # Removing a follow-up twice removes it once.
        VcitaConversationUpdate(UID, follow_up=False, complete_follow_up=True),
        VcitaConversationUpdate(UID, follow_up=True, archived=True, complete_follow_up=True),
    ],
    ids=repr,
)
def test_setting_a_value_is_safe_to_repeat(update: ConversationUpdate) -> None:
    assert update.safe_to_repeat is True


def test_a_vcita_follow_up_note_without_a_date_is_not() -> None:
    # vcita adds an internal text message to the conversation each time.
    update = VcitaConversationUpdate(UID, follow_up=True, follow_up_message="call back")
    assert update.safe_to_repeat is False
    assert (
        VcitaConversationUpdate(
            UID, follow_up=True, follow_up_message="call back", business_unread=False
        ).safe_to_repeat
        is False
    )
