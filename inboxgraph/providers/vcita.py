"""vcita (inTandem): `PUT /v2/conversations/{uid}` with a partial body in vcita's field names.

vcita branches on `follow_up` and `archived` together (see `validate`), and reads
follow-up fields only in some branches; input it would silently ignore is refused
here instead. One thing cannot be checked before the call, because vcita has no
public read endpoint for a conversation: vcita adds or removes a follow-up only when
`follow_up` differs from the requesting staff's current value, so `followUp: true`
on a conversation that already has the caller's follow-up changes nothing (remove it
first to set a new date or message).

The documentation does not show the response body. inboxgraph assumes vcita v2's
usual envelope, `{"status": "OK", "data": {"conversation": {"uid", "archived",
"spam", "business_unread", "deleted", ...}}}`, where `uid` is the conversation
actually updated (the merge target when a merged uid was given). Any other body is
reported as unconfirmed: the update may have been applied.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any, ClassVar

from inboxgraph.domain.provider import ABSENT, Provider
from inboxgraph.domain.vcita import VcitaConversation, VcitaConversationRef, VcitaConversationUpdate
from inboxgraph.providers.base import ProviderAdapter, UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import ErrorDetails, InvalidInput
from inboxgraph.providers.paths import path_segment

#: The update's fields, named as in vcita's request body (the record's attributes match).
VCITA_FIELDS = (
    "archived",
    "business_unread",
    "spam",
    "deleted",
    "campaign",
    "source_type",
    "mobile",
    "follow_up",
    "follow_up_date",
    "follow_up_message",
    "complete_follow_up",
)
#: Fields whose null is sent (it clears them); ABSENT leaves them out.
NULLABLE_FIELDS = frozenset({"campaign", "source_type"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class VcitaAdapter(
    ProviderAdapter[VcitaConversationUpdate, VcitaConversation, VcitaConversationRef]
):
    provider: ClassVar[Provider] = Provider.VCITA
    display_name: ClassVar[str] = "vcita"
    input_name: ClassVar[str] = "vcita"
    read_unsupported_reason: ClassVar[str | None] = (
        "vcita publishes no endpoint that reads a single conversation, so inboxgraph cannot "
        "tell its state; updateConversation returns the state vcita reports after an update"
    )
    default_base_url: ClassVar[str] = "https://api.vcita.biz"

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        """`clock` gives the current time (timezone-aware) that `followUpDate` must follow."""
        self._clock = clock

    def check_rules(self, update: VcitaConversationUpdate) -> None:
        path_segment("vcita.uid", update.uid)
        if not given_fields(update):
            raise InvalidInput(
                "vcita",
                "give at least one field to change besides uid (vcita would change nothing)",
            )
        self._validate_follow_up(update)

    def _validate_follow_up(self, update: VcitaConversationUpdate) -> None:
        creating = update.follow_up is True and update.archived is not True
        removing = update.follow_up is False or (
            update.follow_up is True and update.archived is True
        )
        only_when_creating = (
            "is only read when followUp is true and archived is not true "
            "(creating or updating a follow-up); vcita ignores it otherwise"
        )
        if update.follow_up_date is not None:
            if not creating:
                raise InvalidInput("vcita.followUpDate", only_when_creating)
            if update.follow_up_date.utcoffset() is None:
                raise InvalidInput(
                    "vcita.followUpDate",
                    "must carry a UTC offset (such as Z or +03:00) so that "
                    "'in the future' has a meaning",
                )
            try:
                update.follow_up_date.astimezone(UTC)
            except OverflowError:
                raise InvalidInput(
                    "vcita.followUpDate", "must be a time that exists in UTC (year 1..9999)"
                ) from None
            if update.follow_up_date <= self._clock():
                raise InvalidInput(
                    "vcita.followUpDate",
                    f"must be in the future, got {wire_datetime(update.follow_up_date)}",
                )
        if update.follow_up_message is not None and not creating:
            raise InvalidInput("vcita.followUpMessage", only_when_creating)
        # complete_follow_up defaults to false, so sending false never loses anything.
        if update.complete_follow_up is True and not removing:
            raise InvalidInput(
                "vcita.completeFollowUp",
                "true is only read when removing a follow-up (followUp false, or followUp "
                "true with archived true); vcita ignores it otherwise",
            )

    def build_update(self, update: VcitaConversationUpdate) -> UpstreamRequest:
        uid = path_segment("vcita.uid", update.uid)
        return UpstreamRequest("PUT", f"/v2/conversations/{uid}", json=request_body(update))

    def parse_update(
        self, update: VcitaConversationUpdate, response: UpstreamResponse
    ) -> VcitaConversation:
        body = response.json()
        if not isinstance(body, dict) or body.get("status") != "OK":
            raise ValueError("vcita answered without its success envelope")
        return parse_conversation(body["data"]["conversation"])

    def target(self, update: VcitaConversationUpdate) -> Hashable:
        return update.uid

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        if not isinstance(body, dict):
            return ErrorDetails()
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            # vcita's API controllers: {"success": false, "errors": [{"code", "message"}]}
            return ErrorDetails(
                provider_code=_string_or_none(errors[0].get("code")),
                message=_string_or_none(errors[0].get("message")),
            )
        # vcita's documented convention {"status": "Error", "error": "..."}, and the
        # {"status": "Failure", "message": "..."} of its token checks.
        return ErrorDetails(
            message=_string_or_none(body.get("error")) or _string_or_none(body.get("message"))
        )


def given_fields(update: VcitaConversationUpdate) -> dict[str, Any]:
    """The fields given, in vcita's names, as Python values (null only where it clears)."""
    given: dict[str, Any] = {}
    for name in VCITA_FIELDS:
        value = getattr(update, name)
        if value is ABSENT or (value is None and name not in NULLABLE_FIELDS):
            continue
        given[name] = value
    return given


def request_body(update: VcitaConversationUpdate) -> dict[str, Any]:
    """vcita's JSON body: only the fields given, in vcita's names."""
    return {
        name: wire_datetime(value) if isinstance(value, datetime) else value
        for name, value in given_fields(update).items()
    }


def parse_conversation(record: Any) -> VcitaConversation:
    """A VcitaConversation from vcita's conversation object; TypeError when it has another shape."""
    if not isinstance(record, dict):
        raise TypeError("conversation is not an object")
    uid = record["uid"]
    if not isinstance(uid, str) or not uid:
        raise TypeError("conversation uid is not a non-empty string")
    return VcitaConversation(
        uid=uid,
        archived=_flag(record, "archived"),
        spam=_flag(record, "spam"),
        business_unread=_flag(record, "business_unread"),
        deleted=_flag(record, "deleted"),
    )


def wire_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z (naive values are taken as UTC)."""
    utc = value.astimezone(UTC) if value.utcoffset() is not None else value
    return utc.replace(tzinfo=None).isoformat() + "Z"


def _flag(record: dict[str, Any], name: str) -> bool:
    value = record[name]
    if not isinstance(value, bool):
        raise TypeError(f"conversation {name} is not a boolean")
    return value


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
