"""Puffle: `PATCH /api/conversations/{id}` with `{status, unread_count}`.

Reads page through `GET /api/conversations` (no side effects) by `page` alone, taking
the page size from the answer's `limit`: `GET /api/conversations/{id}` would reset the
unread count, so it is never used.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from inboxgraph.domain.provider import Provider
from inboxgraph.domain.puffle import (
    PuffleConversation,
    PuffleConversationRef,
    PuffleConversationStatus,
    PuffleConversationUpdate,
)
from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import ErrorDetails, InvalidInput
from inboxgraph.providers.paths import path_segment

#: Puffle's documented pattern for a conversation id (matched whole).
ID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff"
)
#: `unread_count`'s documented range is 0..9007199254740991.
MAX_UNREAD_COUNT = 9007199254740991


class PuffleAdapter(
    ProviderAdapter[PuffleConversationUpdate, PuffleConversation, PuffleConversationRef]
):
    provider: ClassVar[Provider] = Provider.PUFFLE
    display_name: ClassVar[str] = "Puffle"
    input_name: ClassVar[str] = "puffle"
    default_base_url: ClassVar[str] = "https://app.puffle.ai"

    def check_rules(self, update: PuffleConversationUpdate) -> None:
        if not ID_PATTERN.fullmatch(update.id):
            raise InvalidInput(
                "puffle.id", "must be a UUID matching Puffle's documented id pattern"
            )
        if update.status is None and update.unread_count is None:
            raise InvalidInput(
                "puffle",
                "give at least one of status and unreadCount (Puffle refuses an empty update)",
            )
        if update.unread_count is not None and not 0 <= update.unread_count <= MAX_UNREAD_COUNT:
            raise InvalidInput(
                "puffle.unreadCount", f"must be in 0..{MAX_UNREAD_COUNT}, got {update.unread_count}"
            )

    def build_update(self, update: PuffleConversationUpdate) -> UpstreamRequest:
        body: dict[str, Any] = {}
        if update.status is not None:
            body["status"] = update.status.value
        if update.unread_count is not None:
            body["unread_count"] = update.unread_count
        conversation_id = path_segment("puffle.id", update.id)
        return UpstreamRequest("PATCH", f"/api/conversations/{conversation_id}", json=body)

    def parse_update(
        self, update: PuffleConversationUpdate, response: UpstreamResponse
    ) -> PuffleConversation:
        return parse_conversation(response.json()["conversation"])

    def target(self, update: PuffleConversationUpdate) -> Hashable:
        return update.id.lower()

    async def read_conversations(
        self, refs: Sequence[PuffleConversationRef], fetch: Fetch
    ) -> Mapping[PuffleConversationRef, PuffleConversation]:
        """Scan the conversation list page by page until every ref is found or it ends."""
        wanted: dict[str, list[PuffleConversationRef]] = {}
        for ref in refs:
            if ID_PATTERN.fullmatch(ref.id):
                wanted.setdefault(ref.id.lower(), []).append(ref)
        found: dict[PuffleConversationRef, PuffleConversation] = {}
        page = 1
        while wanted:
            response = await fetch(
                UpstreamRequest("GET", "/api/conversations", params={"page": str(page)})
            )
            listing = response.json()
            page_size = int(listing["limit"])
            if page_size < 1:
                raise ValueError(f"Puffle's list answered a page size of {page_size}")
            for record in listing["conversations"]:
                for ref in wanted.pop(str(record["id"]).lower(), []):
                    found[ref] = parse_conversation(record)
            if not listing["conversations"] or page * page_size >= int(listing["total"]):
                break
            page += 1
        return found

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        # Puffle documents no error body; `{"error": "<message>"}` is read when present.
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return ErrorDetails(message=body["error"])
        return ErrorDetails()


def parse_conversation(record: dict[str, Any]) -> PuffleConversation:
    """A PuffleConversation from Puffle's conversation object."""
    return PuffleConversation(
        id=record["id"],
        status=PuffleConversationStatus(record["status"]),
        unread_count=int(record["unread_count"]),
        channel=record["channel"],
        participant_name=record.get("participant_name"),
        last_message_at=_timestamp(record.get("last_message_at")),
        updated_at=_required_timestamp(record["updated_at"]),
    )


def _timestamp(value: str | None) -> datetime | None:
    return None if value is None else _required_timestamp(value)


def _required_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
