"""Emulator of vcita's conversation update (`PUT https://api.vcita.biz/v2/conversations/{uid}`).

Sources: the update page (`vcita-update-conversation.txt`, "Update a conversation
(archive, spam, business_unread, follow-up, soft delete)") and the vcita facts in the
provider-docs `README.md`, both in `/work/shared/provider-docs/` (quoted below as
"update page" and "facts").

Documented:

- Staff tokens only: "Available for Staff tokens." (update page, "Overview").
- A merged uid: "If the uid points to a conversation that has been merged into another,
  the request is automatically routed to the merged target conversation." (update page,
  "Path Params"; facts).
- "All fields are optional in the request body [...] Only fields that are present in the
  request body are evaluated." (update page, "Overview").
- "Fields outside of the follow-up flow are permitted via Conversation::READ_WRITE_PARAMS:
  archived, business_unread, spam, deleted, campaign, source_type, mobile." Any other
  key is not applied (update page, "Permitted update fields").
- `spam`: "When set, the spam state is also applied to the associated client."
  `business_unread`: "When this field is present, the read state is propagated to the
  relevant staff collaboration record." (update page, "Body Params").
- `deleted: true`: "Soft-delete (true) the conversation (sets deleted_at to the current
  time)." Each `true` sets it again, as written (update page, "Body Params").
- `campaign`: "Free-form campaign tag stored on the conversation."; `source_type`:
  "Source classifier of the conversation"; `mobile`: "Internal flag" (update page,
  "Body Params").
- Follow-ups are per staff and conversation, "stored on the underlying Collaborator
  record", which is created "if one does not already exist" (update page, "Follow-up
  flow"). The branch "only fires when the request body actually contains a follow_up
  key, and the add/remove logic only fires when the new follow_up value differs from
  the current one (with the exception of the follow_up: true, archived: true case,
  which always removes)" (update page, "Note").
- `follow_up: true` without `archived: true` "Sets follow_up=true, follow_up_message, and
  optionally follow_up_date. If the conversation was archived, it is automatically
  unarchived. If a follow_up_message is provided without a follow_up_date, an internal
  text message is added"; `follow_up_message` "Defaults to an empty string" and only a
  non-empty one adds the message (update page, follow-up table and "Body Params").
- `follow_up_date` accepts "the JavaScript-style format the UI sends" and "ISO 8601";
  "Must be in the future. Only consumed when creating/updating a follow-up." (update
  page, "Body Params").
- `follow_up: true, archived: true` and `follow_up: false` remove the follow-up; "If
  complete_follow_up: true is also sent, the follow-up is marked as completed"
  (otherwise dismissed); with `follow_up: true`, `archived: true` "instead removes the
  follow-up" and does not archive (update page, follow-up table and `archived`).
  `complete_follow_up` "Defaults to false".
- The answer renders the conversation and its client in summary: `source_type` appears
  only in the conversation's "deep representation", and the client's "full
  representation" replaces "the default summary", when a query parameter asks (update
  page, "Query Params"). That parameter's name is not on the page, so it is not
  emulated and the summaries are always given.
- No single-conversation read: "No public single-conversation read endpoint was found."
  (facts).

Inferred (the docs do not say; decided here):

- The answer's shape: the update page shows no response body. The emulator answers
  vcita v2's usual envelope, `{"status": "OK", "data": {"conversation": {...}}}`, with
  `uid` (the merge target's), `archived`, `spam`, `business_unread`, `deleted`,
  `deleted_at`, `campaign`, `mobile` and `client {uid, first_name}`; times are ISO 8601
  in UTC with milliseconds.
- Errors and their statuses: `{"status": "Error", "error": "<message>"}`; a missing or
  unknown token is 401, an unknown uid (or a merge cycle) 404, a body that is not JSON
  400, a `follow_up_date` that does not parse or is not in the future 422 (and nothing
  changes: the request is all or nothing). A GET is 405. Checks run in that order:
  auth, uid, body, follow-up date.
- A body that is empty or JSON but not an object changes nothing and answers 200 (all
  fields are optional).
- Booleans are cast the way Rails casts them (ActiveModel::Type::Boolean; the page names
  Rails' permitted params): false, 0, "0", "f", "F", "false", "FALSE", "off", "OFF" are
  false, any other scalar true.
- null, "" and objects or arrays in a boolean field (`archived`, `business_unread`,
  `spam`, `deleted`, `mobile`) change nothing: the page types them as booleans and the
  answer keeps them booleans.
- `deleted: false` undeletes: it clears `deleted_at` and the deleted flag. The page
  documents only `true`; a boolean whose `true` "sets deleted_at" is read as a setter
  whose `false` clears it.
- `campaign` and `source_type`: null clears them; a number or boolean is stored as
  Ruby's `to_s` gives it; an object or array is not applied (Rails' permitted scalars).
- A null or blank `follow_up` is false (Ruby's nil is falsy), so it removes an active
  follow-up; a null `complete_follow_up` is its default, false. Removing when the staff
  has no active follow-up changes nothing and creates no collaborator record. A removed
  follow-up's status is "completed" or "dismissed".
- `follow_up_date`: only the two documented forms parse (Ruby's Time parser takes more);
  a date without an offset is read as UTC (Ruby would use the server's zone); null or
  "" means no date. Any other type is 422.
- A soft-deleted conversation can still be updated (the page does not say it leaves
  this endpoint). No rate limit is emulated (none is documented).
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
#: Conversation::READ_WRITE_PARAMS (update page, "Permitted update fields"), by type.
PERMITTED_BOOLEANS = ("archived", "business_unread", "spam", "deleted", "mobile")
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
    flags = {name: _cast_boolean(params.get(name)) for name in PERMITTED_BOOLEANS}
    if skip_archived:
        flags["archived"] = None
    for name, value in flags.items():
        if value is not None:
            conversation[name] = value
    for name in PERMITTED_STRINGS:
        if name in params and not isinstance(params[name], dict | list):
            conversation[name] = _ruby_string(params[name])
    if flags["spam"] is not None:
        state.clients[conversation["client_uid"]]["spam"] = flags["spam"]
    if flags["business_unread"] is not None:
        collaborator = state.collaborator(staff_uid, conversation["uid"])
        collaborator["business_unread"] = flags["business_unread"]
    if flags["deleted"] is not None:
        conversation["deleted_at"] = _iso(state.clock()) if flags["deleted"] else None


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
