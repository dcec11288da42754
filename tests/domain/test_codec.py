"""The domain codec: every stored value comes back equal, and equal values print alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from inboxgraph.domain import codec
from inboxgraph.domain.ayrshare import (
    AyrshareConversation,
    AyrshareConversationStatus,
    AyrshareConversationUpdate,
    AyrsharePlatform,
)
from inboxgraph.domain.ebay import (
    EbayConversation,
    EbayConversationStatus,
    EbayConversationType,
    EbayConversationUpdate,
)
from inboxgraph.domain.highlevel import (
    HighLevelConversation,
    HighLevelMessage,
    HighLevelMessageStatus,
    HighLevelMessageStatusUpdate,
    HighLevelProviderError,
)
from inboxgraph.domain.jobs import BulkJob, BulkJobItem, BulkJobState
from inboxgraph.domain.outcomes import ConversationUpdated, UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import ABSENT, Conversation, ConversationUpdate, Provider
from inboxgraph.domain.puffle import (
    PuffleConversation,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.domain.vcita import VcitaConversation, VcitaConversationUpdate

PUFFLE = PuffleConversation(
    id="f11e8a2c-1234-4567-89ab-cdef01234567",
    status=PuffleConversationStatus.ARCHIVED,
    unread_count=0,
    channel="linkedin",
    participant_name=None,
    last_message_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=3))),
)

VALUES = [
    AyrshareConversationUpdate(
        AyrsharePlatform.TWITTER, "c1", AyrshareConversationStatus.ACTIVE, profile_key="k"
    ),
    PuffleConversationUpdate("f11e8a2c-1234-4567-89ab-cdef01234567", unread_count=2**53 - 1),
    HighLevelMessageStatusUpdate(
        "m1",
        HighLevelMessageStatus.FAILED,
        error=HighLevelProviderError("1", "saas", "bounced"),
        recipients=("a@example.com", "b@example.com"),
    ),
    VcitaConversationUpdate("u1", campaign=None, follow_up_date=datetime(2099, 1, 1)),
    VcitaConversationUpdate("u1", campaign=ABSENT, source_type="web"),
    EbayConversationUpdate("1", EbayConversationType.FROM_EBAY, read=False),
    ConversationUpdated(Provider.PUFFLE, PUFFLE),
    ConversationUpdated(
        Provider.AYRSHARE,
        AyrshareConversation(AyrsharePlatform.FACEBOOK, "c", AyrshareConversationStatus.ACTIVE),
    ),
    ConversationUpdated(
        Provider.HIGHLEVEL,
        HighLevelConversation("c", HighLevelMessage("m", HighLevelMessageStatus.READ), 0, False),
    ),
    ConversationUpdated(Provider.VCITA, VcitaConversation("u", True, False, False, False)),
    ConversationUpdated(
        Provider.EBAY,
        EbayConversation(
            "1", EbayConversationType.FROM_MEMBERS, EbayConversationStatus.DELETE, None
        ),
    ),
    UpdateFailed(
        Provider.EBAY,
        UpdateErrorCode.NOT_FOUND,
        "gone",
        field="ebay.conversationId",
        provider_status=400,
        provider_code="355007",
        may_have_been_applied=True,
    ),
    BulkJobItem(3, UpdateFailed(Provider.VCITA, UpdateErrorCode.CANCELLED, "cancelled")),
    BulkJob("j", BulkJobState.RUNNING, 3, 1, 1, datetime(2026, 1, 1, tzinfo=UTC)),
    [PUFFLE, None, 3, "text", True],
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_a_value_comes_back_equal(value: object) -> None:
    again = codec.loads(codec.dumps(value))
    assert again == value
    assert type(again) is type(value)


def test_datetimes_keep_their_offset_and_naive_ones_stay_naive() -> None:
    naive = VcitaConversationUpdate("u", follow_up=True, follow_up_date=datetime(2099, 1, 1))
    assert codec.loads(codec.dumps(naive)).follow_up_date.tzinfo is None
    offset = codec.loads(codec.dumps(PUFFLE)).updated_at
    assert offset.utcoffset() == timedelta(hours=3)


def test_null_and_absent_stay_apart() -> None:
    cleared = codec.loads(codec.dumps(VcitaConversationUpdate("u", campaign=None)))
    untouched = codec.loads(codec.dumps(VcitaConversationUpdate("u")))
    assert cleared.campaign is None
    assert untouched.campaign is ABSENT


def test_equal_values_print_alike_and_fingerprint_alike() -> None:
    one = PuffleConversationUpdate("f11e8a2c-1234-4567-89ab-cdef01234567", unread_count=0)
    two = PuffleConversationUpdate(id="f11e8a2c-1234-4567-89ab-cdef01234567", unread_count=0)
    other = PuffleConversationUpdate("f11e8a2c-1234-4567-89ab-cdef01234567", unread_count=1)
    assert codec.dumps(one) == codec.dumps(two)
    assert codec.fingerprint([one]) == codec.fingerprint([two])
    assert codec.fingerprint([one]) != codec.fingerprint([other])


def test_unknown_types_are_refused_both_ways() -> None:
    with pytest.raises(codec.CodecError):
        codec.dumps({"a": 1})
    with pytest.raises(codec.CodecError):
        codec.dumps(object())
    with pytest.raises(codec.CodecError):
        codec.loads('{"$type": "os.system", "command": "true"}')
    with pytest.raises(codec.CodecError):
        codec.loads('{"$type": "PuffleConversationUpdate", "nope": 1}')


def _subclasses(base: type) -> set[type]:
    found: set[type] = set()
    subclasses: list[type] = base.__subclasses__()
    for sub in subclasses:
        found |= {sub} | _subclasses(sub)
    return found


@pytest.mark.parametrize("base", [ConversationUpdate, Conversation])
def test_every_provider_record_is_known(base: type) -> None:
    # A new provider's records can be stored once its module is in DOMAIN_MODULES.
    missing = {cls.__name__ for cls in _subclasses(base)} - set(codec.TYPES)
    assert not missing
