"""Emulator of vcita's conversation update (`PUT https://api.vcita.biz/v2/conversations/{uid}`).

Faithful to the documented semantics: a staff bearer token (401 otherwise); an unknown
uid is a 404 and a merged uid is routed to its merge target; only the permitted
fields (archived, business_unread, spam, deleted, campaign, source_type, mobile) are
applied and any other key is ignored, as Rails strong parameters do; booleans are
cast the way Rails casts them; `spam` is also applied to the conversation's client,
`business_unread` to the requesting staff's collaborator record, and `deleted: true`
soft-deletes (sets `deleted_at`).

The follow-up branch runs only when the body has a `follow_up` key, and works on the
requesting staff's collaborator record (created when missing):

- `follow_up: true` without `archived: true` adds a follow-up, but only when the staff
  has none active: it sets the message (default "") and the optional date, unarchives
  the conversation, and adds an internal text message when a non-empty message comes
  without a date. `follow_up_date` (ISO 8601, or the JavaScript `Date.toString()` form)
  must then parse and be in the future, else 422 and nothing changes.
- `follow_up: true` with `archived: true` always removes the follow-up and does not
  archive; `follow_up: false` removes it when one is active. Either marks it completed
  when `complete_follow_up` is true, and dismissed otherwise.

The documentation shows no response body; this emulator answers vcita v2's usual
envelope, `{"status": "OK", "data": {"conversation": {...}}}`, and errors in vcita's
documented convention, `{"status": "Error", "error": "..."}`. Undocumented corners
are decided here: `deleted: false` and null values of boolean fields are ignored, and
a naive `follow_up_date` is read as UTC. vcita has no public read endpoint for a
single conversation, so none is served.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inboxgraph.sandbox.common import bearer_token, json_body, json_response

SANDBOX_TOKEN = "sandbox-vcita-token"
SANDBOX_STAFF_UID = "stf0sandbox00001"
SANDBOX_CLIENT_UID = "cli0sandbox00001"
PERMITTED_BOOLEANS = ("archived", "business_unread", "spam", "mobile")
PERMITTED_STRINGS = ("campaign", "source_type")
#: Rails' ActiveModel::Type::Boolean: these (and 0, equal to False) cast to false; others to true.
FALSE_VALUES = frozenset({False, "0", "f", "F", "false", "FALSE", "off", "OFF"})
#: JavaScript's Date.prototype.toString(), as vcita's UI sends it.
JS_DATE = re.compile(
    r"^(?:[A-Za-z]{3} )?(?P<date>[A-Za-z]{3} \d{1,2} \d{4} \d{2}:\d{2}:\d{2}) "
    r"GMT(?P<offset>[+-]\d{4})(?: \(.*\))?$"
)
Record = dict[str, Any]


class FollowUpError(ValueError):
    """A follow_up_date vcita refuses."""


class VcitaState:
    """Conversations, their clients, staff collaborator records and internal messages."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        self.conversations: dict[str, Record] = {}
        for record in seed_conversations():
            record.setdefault("client_uid", SANDBOX_CLIENT_UID)
            record.setdefault("deleted_at", None)
            record.setdefault("campaign", None)
            record.setdefault("source_type", None)
            record.setdefault("mobile", False)
            self.conversations[record["uid"]] = record
        self.clients: dict[str, Record] = {
            SANDBOX_CLIENT_UID: {"uid": SANDBOX_CLIENT_UID, "first_name": "Sandy", "spam": False}
        }
        #: Per (staff uid, conversation uid): follow-up and read state of one staff member.
        self.collaborators: dict[tuple[str, str], Record] = {}
        self.messages: list[Record] = []
        self.tokens = {SANDBOX_TOKEN: SANDBOX_STAFF_UID}
        self._message_numbers = count(1)

    def resolve(self, uid: str) -> Record | None:
        """The conversation `uid` names, following merges to their target."""
        seen: set[str] = set()
        conversation = self.conversations.get(uid)
        while conversation is not None and conversation.get("merged_into"):
            seen.add(conversation["uid"])
            target = conversation["merged_into"]
            conversation = None if target in seen else self.conversations.get(target)
        return conversation

    def collaborator(self, staff_uid: str, conversation_uid: str) -> Record:
        key = (staff_uid, conversation_uid)
        if key not in self.collaborators:
            self.collaborators[key] = {
                "staff_uid": staff_uid,
                "conversation_uid": conversation_uid,
                "business_unread": False,
                "follow_up": False,
                "follow_up_status": None,
                "follow_up_message": "",
                "follow_up_date": None,
            }
        return self.collaborators[key]

    def add_internal_message(self, conversation_uid: str, staff_uid: str, text: str) -> None:
        self.messages.append(
            {
                "uid": f"msg{next(self._message_numbers):013d}",
                "conversation_uid": conversation_uid,
                "staff_uid": staff_uid,
                "kind": "internal",
                "content_type": "text",
                "text": text,
                "created_at": _iso(self.clock()),
            }
        )


def _error(status: int, message: str) -> JSONResponse:
    return json_response({"status": "Error", "error": message}, status)


def create_app(state: VcitaState | None = None) -> Starlette:
    state = state or VcitaState()

    async def update_conversation(request: Request) -> Response:
        token = bearer_token(request)
        staff_uid = state.tokens.get(token) if token else None
        if staff_uid is None:
            return _error(401, "Unauthorized")
        conversation = state.resolve(request.path_params["uid"])
        if conversation is None:
            return _error(404, "Conversation not found")
        ok, body = await json_body(request)
        if not ok and (await request.body()).strip():
            return _error(400, "The request body is not valid JSON")
        params: Record = body if isinstance(body, dict) else {}
        try:
            follow_up = _follow_up_plan(params, state, staff_uid, conversation["uid"])
        except FollowUpError as error:
            return _error(422, str(error))
        _apply_permitted(params, state, staff_uid, conversation, skip_archived=follow_up.dismiss)
        follow_up.apply(state, staff_uid, conversation)
        return json_response(
            {"status": "OK", "data": {"conversation": _render(state, conversation)}}
        )

    return Starlette(
        routes=[Route("/v2/conversations/{uid}", update_conversation, methods=["PUT"])]
    )


@dataclass(frozen=True)
class _FollowUpPlan:
    """What the follow-up branch will do, decided (and validated) before anything changes."""

    add: bool = False
    remove: bool = False
    #: follow_up true with archived true: remove the follow-up, and do not archive.
    dismiss: bool = False
    complete: bool = False
    message: str = ""
    date: datetime | None = None

    def apply(self, state: VcitaState, staff_uid: str, conversation: Record) -> None:
        if self.add:
            collaborator = state.collaborator(staff_uid, conversation["uid"])
            collaborator.update(
                follow_up=True,
                follow_up_status="active",
                follow_up_message=self.message,
                follow_up_date=None if self.date is None else _iso(self.date),
            )
            conversation["archived"] = False
            if self.message and self.date is None:
                state.add_internal_message(conversation["uid"], staff_uid, self.message)
        elif self.remove:
            existing = state.collaborators.get((staff_uid, conversation["uid"]))
            if existing is not None:
                existing.update(
                    follow_up=False, follow_up_status="completed" if self.complete else "dismissed"
                )


def _follow_up_plan(
    params: Record, state: VcitaState, staff_uid: str, conversation_uid: str
) -> _FollowUpPlan:
    if "follow_up" not in params:
        return _FollowUpPlan()
    wanted = _cast_boolean(params["follow_up"]) is True
    complete = _cast_boolean(params.get("complete_follow_up")) is True
    if wanted and _cast_boolean(params.get("archived")) is True:
        return _FollowUpPlan(remove=True, dismiss=True, complete=complete)
    existing = state.collaborators.get((staff_uid, conversation_uid))
    if wanted == (existing is not None and existing["follow_up"]):
        return _FollowUpPlan()
    if not wanted:
        return _FollowUpPlan(remove=True, complete=complete)
    date = _parse_follow_up_date(params.get("follow_up_date"), state.clock())
    message = _ruby_string(params.get("follow_up_message")) or ""
    return _FollowUpPlan(add=True, message=message, date=date)


def _apply_permitted(
    params: Record, state: VcitaState, staff_uid: str, conversation: Record, *, skip_archived: bool
) -> None:
    for name in PERMITTED_BOOLEANS:
        if name == "archived" and skip_archived:
            continue
        value = _cast_boolean(params.get(name))
        if value is not None:
            conversation[name] = value
    for name in PERMITTED_STRINGS:
        if name in params and not isinstance(params[name], dict | list):
            conversation[name] = _ruby_string(params[name])
    if _cast_boolean(params.get("spam")) is not None:
        state.clients[conversation["client_uid"]]["spam"] = conversation["spam"]
    if _cast_boolean(params.get("business_unread")) is not None:
        collaborator = state.collaborator(staff_uid, conversation["uid"])
        collaborator["business_unread"] = conversation["business_unread"]
    if _cast_boolean(params.get("deleted")) is True:
        conversation["deleted"] = True
        conversation["deleted_at"] = _iso(state.clock())


def _render(state: VcitaState, conversation: Record) -> Record:
    client = state.clients[conversation["client_uid"]]
    return {
        "uid": conversation["uid"],
        "archived": conversation["archived"],
        "spam": conversation["spam"],
        "business_unread": conversation["business_unread"],
        "deleted": conversation["deleted"],
        "deleted_at": conversation["deleted_at"],
        "campaign": conversation["campaign"],
        "mobile": conversation["mobile"],
        "client": {"uid": client["uid"], "first_name": client["first_name"]},
    }


def _parse_follow_up_date(value: Any, now: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FollowUpError("follow_up_date is not a valid time")
    parsed = _parse_time(value.strip())
    if parsed is None:
        raise FollowUpError("follow_up_date is not a valid time")
    if parsed <= now:
        raise FollowUpError("follow_up_date must be in the future")
    return parsed


def _parse_time(text: str) -> datetime | None:
    match = JS_DATE.match(text)
    try:
        if match is not None:
            return datetime.strptime(f"{match['date']} {match['offset']}", "%b %d %Y %H:%M:%S %z")
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=UTC)


def _cast_boolean(value: Any) -> bool | None:
    """Rails' boolean cast; None for null, blank or non-scalar values (left unchanged)."""
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    return value not in FALSE_VALUES


def _ruby_string(value: Any) -> str | None:
    """A scalar as Ruby's to_s gives it; None for null and for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# --- The records a fresh emulator holds (SANDBOX.md) ---


def seed_conversations() -> list[Record]:
    return [
        {
            "uid": "89m2pnabgozdvd9f",
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
            "merged_into": None,
        },
        {
            "uid": "mrg0000000000001",
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
            "merged_into": "89m2pnabgozdvd9f",
        },
    ]
