"""Ayrshare: `PUT /api/messages/{platform}/{conversationId}` with `{status}`.

Ayrshare answers `{"status": "success"}` and nothing else, so the updated conversation
is the one the update described. Its error body is `{"action", "status": "error",
"code", "message"}`, sometimes wrapped as `{"status": "error", "errors": [...]}`; a 200
whose `status` is not `success` is a failure too.

The rate limit (300 requests per 5 minutes) is per user profile, and 1,000 answers 429
within 24 hours suspend the profile: requests are paced per `Profile-Key` and a 429 is
never retried.

Reads list the primary profile's conversations (`GET /api/messages/{platform}` with
`conversationsOnly=true`), which has no side effects; a conversation owned by another
user profile cannot be resolved by reference, since a reference carries no profile key.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar, cast
from urllib.parse import quote

import httpx

from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.schema.conversations import AyrshareConversation
from inboxgraph.schema.enums import (
    AyrshareConversationStatus,
    AyrsharePlatform,
    Provider,
    UpdateErrorCode,
)
from inboxgraph.schema.inputs import AyrshareConversationUpdate

PROFILE_KEY_HEADER = "Profile-Key"
#: A header value: printable ASCII, no whitespace at either end (HTTP would strip it).
PROFILE_KEY_PATTERN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
#: Path segments that URL normalisation removes, so they would address another resource.
DOT_SEGMENTS = frozenset({".", ".."})


class AyrshareAdapter(ProviderAdapter[AyrshareConversationUpdate, AyrshareConversation]):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    display_name: ClassVar[str] = "Ayrshare"
    default_base_url: ClassVar[str] = "https://api.ayrshare.com"
    rate_limit: ClassVar[RateLimit | None] = RateLimit(300, 300.0)

    def validate(self, update: AyrshareConversationUpdate) -> None:
        conversation_id = update.conversation_id
        if not conversation_id.strip():
            raise InvalidInput("ayrshare.conversationId", "must not be empty or blank")
        if conversation_id in DOT_SEGMENTS:
            raise InvalidInput(
                "ayrshare.conversationId",
                f"{conversation_id!r} cannot be sent as a URL path segment "
                "(it would address another endpoint)",
            )
        profile_key = update.profile_key
        if profile_key is not None and not PROFILE_KEY_PATTERN.fullmatch(profile_key):
            raise InvalidInput(
                "ayrshare.profileKey",
                "must be a non-blank Profile Key of printable ASCII characters without "
                "surrounding whitespace (a blank Profile-Key header makes Ayrshare act for "
                "the primary profile instead); omit it for the primary profile",
            )

    def build_update(self, update: AyrshareConversationUpdate) -> UpstreamRequest:
        headers = {} if update.profile_key is None else {PROFILE_KEY_HEADER: update.profile_key}
        return UpstreamRequest(
            "PUT",
            f"/api/messages/{quote(update.platform.value, safe='')}/"
            f"{quote(update.conversation_id, safe='')}",
            json={"status": update.status.value},
            headers=headers,
        )

    def parse_update(
        self, update: AyrshareConversationUpdate, response: httpx.Response
    ) -> AyrshareConversation:
        body = response.json()
        if not isinstance(body, dict) or body.get("status") != "success":
            details = self.error_details(response.status_code, body)
            message = f"{self.display_name} answered HTTP {response.status_code} without success"
            if details.message:
                message = f"{message}: {details.message}"
            raise ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                message,
                provider_status=response.status_code,
                provider_code=details.provider_code,
            )
        return AyrshareConversation(
            platform=update.platform, id=update.conversation_id, status=update.status
        )

    async def read_conversations(
        self, keys: Sequence[Hashable], fetch: Fetch
    ) -> Mapping[Hashable, AyrshareConversation]:
        """List the primary profile's conversations per platform, active then archived.

        Keys are `(AyrsharePlatform, id)`. One or two list calls per platform (platforms in
        parallel), however many keys; reading has no side effects at Ayrshare.
        """
        wanted: dict[AyrsharePlatform, set[str]] = defaultdict(set)
        for platform, conversation_id in cast("Sequence[tuple[AyrsharePlatform, str]]", keys):
            wanted[platform].add(conversation_id)
        found: dict[Hashable, AyrshareConversation] = {}

        async def read_platform(platform: AyrsharePlatform, ids: set[str]) -> None:
            for status in AyrshareConversationStatus:
                if all((platform, i) in found for i in ids):
                    return
                response = await fetch(
                    UpstreamRequest(
                        "GET",
                        f"/api/messages/{quote(platform.value, safe='')}",
                        params={"status": status.value, "conversationsOnly": "true"},
                    )
                )
                for detail in response.json()["conversationsDetails"]:
                    if detail["id"] in ids:
                        found[(platform, detail["id"])] = AyrshareConversation(
                            platform=platform,
                            id=detail["id"],
                            status=AyrshareConversationStatus(detail["status"]),
                        )

        await asyncio.gather(*(read_platform(p, ids) for p, ids in wanted.items()))
        return found

    def target_key(self, update: AyrshareConversationUpdate) -> Hashable:
        return (update.platform, update.conversation_id, update.profile_key)

    def pacing_key(self, update: AyrshareConversationUpdate) -> str:
        return update.profile_key or ""

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        error = _error_object(body)
        if error is None:
            return ErrorDetails()
        code = error.get("code")
        message = error.get("message")
        return ErrorDetails(
            provider_code=str(code)
            if isinstance(code, int | str) and not isinstance(code, bool)
            else None,
            message=message if isinstance(message, str) else None,
        )


def _error_object(body: Any) -> dict[str, Any] | None:
    """The error itself: the body, or the first entry of its `errors` list."""
    if not isinstance(body, dict):
        return None
    if "code" in body or "message" in body:
        return body
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first: dict[str, Any] = errors[0]
        return first
    return None
