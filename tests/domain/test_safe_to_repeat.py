"""Which updates may be sent again when it is unknown whether they were applied."""

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

LATER = datetime(2099, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "update",
    [
        AyrshareConversationUpdate(
            AyrsharePlatform.INSTAGRAM, "c", AyrshareConversationStatus.ARCHIVED
        ),
        PuffleConversationUpdate("id", PuffleConversationStatus.ACTIVE, unread_count=0),
        HighLevelMessageStatusUpdate("m", HighLevelMessageStatus.READ),
        EbayConversationUpdate(
            "1",
            EbayConversationType.FROM_MEMBERS,
            conversation_status=EbayConversationStatus.DELETE,
        ),
        VcitaConversationUpdate("u", archived=True, spam=True, business_unread=False),
        VcitaConversationUpdate("u", follow_up=True),
        VcitaConversationUpdate("u", follow_up=True, follow_up_message="x", follow_up_date=LATER),
        VcitaConversationUpdate("u", follow_up=True, archived=True),
        VcitaConversationUpdate("u", follow_up=False, complete_follow_up=True),
        VcitaConversationUpdate("u", follow_up=True, follow_up_message=""),
    ],
    ids=repr,
)
def test_setting_states_and_flags_is_safe(update: ConversationUpdate) -> None:
    assert update.safe_to_repeat


def test_a_vcita_follow_up_note_without_a_date_is_not() -> None:
    # vcita adds an internal text message to the conversation each time it is sent.
    update = VcitaConversationUpdate("u", follow_up=True, follow_up_message="call back")
    assert not update.safe_to_repeat
