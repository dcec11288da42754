"""vcita (inTandem) client-portal conversations: `PUT /v2/conversations/{uid}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from inboxgraph.domain.actions import ConversationAction
from inboxgraph.domain.provider import (
    ABSENT,
    Absent,
    Conversation,
    ConversationRef,
    ConversationUpdate,
    Provider,
)


@dataclass(frozen=True, slots=True)
class VcitaConversationUpdate(ConversationUpdate):
    """Only the fields given are sent. `campaign` and `source_type` may be None, which
    sends null (clearing them); ABSENT leaves them out."""

    provider: ClassVar[Provider] = Provider.VCITA
    uid: str
    archived: bool | None = None
    business_unread: bool | None = None
    spam: bool | None = None
    deleted: bool | None = None
    campaign: str | Absent | None = ABSENT
    source_type: str | Absent | None = ABSENT
    mobile: bool | None = None
    follow_up: bool | None = None
    follow_up_date: datetime | None = None
    follow_up_message: str | None = None
    complete_follow_up: bool | None = None

    @property
    def safe_to_repeat(self) -> bool:
        """Every field is a value set, except one case: creating a follow-up with a
        non-empty `follow_up_message` and no `follow_up_date` also adds an internal text
        message to the conversation (vcita's doc), so each sending adds one more."""
        creates_follow_up = self.follow_up is True and self.archived is not True
        adds_note = bool(self.follow_up_message) and self.follow_up_date is None
        return not (creates_follow_up and adds_note)


@dataclass(frozen=True, slots=True)
class VcitaConversation(Conversation):
    provider: ClassVar[Provider] = Provider.VCITA
    #: The conversation actually updated (the merge target when a merged uid was given).
    uid: str
    archived: bool
    spam: bool
    business_unread: bool
    deleted: bool

    @property
    def id(self) -> str:
        return self.uid

    @property
    def read(self) -> bool:
        return not self.business_unread

    def ref(self) -> VcitaConversationRef:
        return VcitaConversationRef(uid=self.uid)


@dataclass(frozen=True, slots=True)
class VcitaConversationRef(ConversationRef):
    provider: ClassVar[Provider] = Provider.VCITA
    uid: str

    def update_for(self, action: ConversationAction) -> VcitaConversationUpdate:
        """vcita does every action: archive flag, business-side read flag, spam flag, and
        soft delete."""
        uid = self.uid
        match action:
            case ConversationAction.ARCHIVE | ConversationAction.UNARCHIVE:
                return VcitaConversationUpdate(uid, archived=action is ConversationAction.ARCHIVE)
            case ConversationAction.MARK_READ | ConversationAction.MARK_UNREAD:
                unread = action is ConversationAction.MARK_UNREAD
                return VcitaConversationUpdate(uid, business_unread=unread)
            case ConversationAction.MARK_SPAM:
                return VcitaConversationUpdate(uid, spam=True)
            case ConversationAction.DELETE:
                return VcitaConversationUpdate(uid, deleted=True)
