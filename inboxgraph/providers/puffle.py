"""Puffle: `PATCH /api/conversations/{id}` with `{status, unread_count}`."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest
from inboxgraph.providers.errors import ErrorDetails, InvalidInput
from inboxgraph.schema.conversations import PuffleConversation
from inboxgraph.schema.enums import Provider, PuffleConversationStatus
from inboxgraph.schema.inputs import PuffleConversationUpdate
from inboxgraph.schema.scalars import SafeInt

#: Puffle's documented pattern for a conversation id.
ID_PATTERN = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"
)
MAX_UNREAD_COUNT = 2**53 - 1
LIST_PAGE_SIZE = 100


class PuffleAdapter(ProviderAdapter[PuffleConversationUpdate, PuffleConversation]):
    provider: ClassVar[Provider] = Provider.PUFFLE
    display_name: ClassVar[str] = "Puffle"
    default_base_url: ClassVar[str] = "https://app.puffle.ai"

    def validate(self, update: PuffleConversationUpdate) -> None:
        if not ID_PATTERN.match(update.id):
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
        return UpstreamRequest(
            "PATCH", f"/api/conversations/{quote(update.id, safe='')}", json=body
        )

    def parse_update(
        self, update: PuffleConversationUpdate, response: httpx.Response
    ) -> PuffleConversation:
        return parse_conversation(response.json()["conversation"])

    def target_key(self, update: PuffleConversationUpdate) -> Hashable:
        return update.id.lower()

    async def read_conversations(
        self, keys: Sequence[Hashable], fetch: Fetch
    ) -> Mapping[Hashable, PuffleConversation]:
        """Scan the conversation list, which has no side effects.

        `GET /api/conversations/{id}` would reset the unread count, so it is never used.
        Pages are fetched until every key is found or the list ends.
        """
        wanted = {str(key).lower() for key in keys if ID_PATTERN.match(str(key))}
        found: dict[Hashable, PuffleConversation] = {}
        page = 1
        while wanted - found.keys():
            response = await fetch(
                UpstreamRequest(
                    "GET",
                    "/api/conversations",
                    params={"page": str(page), "limit": str(LIST_PAGE_SIZE)},
                )
            )
            listing = response.json()
            for record in listing["conversations"]:
                if record["id"].lower() in wanted:
                    found[record["id"].lower()] = parse_conversation(record)
            if (
                page * int(listing["limit"]) >= int(listing["total"])
                or not listing["conversations"]
            ):
                break
            page += 1
        return found

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return ErrorDetails(message=body["error"])
        return ErrorDetails()


def parse_conversation(record: dict[str, Any]) -> PuffleConversation:
    """A PuffleConversation from Puffle's conversation object."""
    return PuffleConversation(
        id=record["id"],
        status=PuffleConversationStatus(record["status"]),
        unread_count=SafeInt(int(record["unread_count"])),
        channel=record["channel"],
        participant_name=record.get("participant_name"),
        last_message_at=_timestamp(record.get("last_message_at")),
        updated_at=_required_timestamp(record["updated_at"]),
    )


def _timestamp(value: str | None) -> datetime | None:
    return None if value is None else _required_timestamp(value)


def _required_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
