"""Ayrshare: `PUT /api/messages/{platform}/{conversationId}` with `{status}`.

Ayrshare answers `{"status": "success"}` and nothing else, so the updated conversation
is the one the update described. Its error body is `{"action", "status": "error",
"code", "message"}`, sometimes wrapped as `{"status": "error", "errors": [...]}`; a 200
whose `status` is `error` is a failure too.

The rate limit (300 requests per 5 minutes) is per user profile, and 1,000 answers 429
within 24 hours suspend the profile: requests are paced per `Profile-Key` and a 429 is
never retried. Ayrshare reports a profile's budget in every answer, `x-ratelimit-max`
(requests allowed per 5 minutes) and `x-ratelimit-count` (requests made in the current
5 minutes). Once the count reaches the maximum (other clients of the same profile may
have spent it), that profile sends nothing for 300 s: Ayrshare does not tell when the
current window started, so the window's whole length is the only wait sure to outlast
it. Missing or unreadable headers hold nothing back.

Reads list the primary profile's messages per platform and status (`GET
/api/messages/{platform}?status=...`, whose `messages[].conversationId` Ayrshare's
Get Messages reference shows), which has no side effects; a conversation owned by
another user profile cannot be resolved by reference, since a reference carries no
profile key.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

from inboxgraph.domain.ayrshare import (
    AyrshareConversation,
    AyrshareConversationRef,
    AyrshareConversationStatus,
    AyrshareConversationUpdate,
    AyrsharePlatform,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.providers.paths import path_segment

PROFILE_KEY_HEADER = "Profile-Key"
#: Ayrshare's rate-limit window, "300 requests per 5 minutes" per user profile.
RATE_LIMIT_WINDOW_SECONDS = 300.0
#: A header holding a count: ASCII digits, nothing else.
COUNT_PATTERN = re.compile(r"[0-9]{1,9}")
#: A header value: printable ASCII, no whitespace at either end (HTTP would strip it).
PROFILE_KEY_PATTERN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


class AyrshareAdapter(
    ProviderAdapter[AyrshareConversationUpdate, AyrshareConversation, AyrshareConversationRef]
):
    provider: ClassVar[Provider] = Provider.AYRSHARE
    display_name: ClassVar[str] = "Ayrshare"
    input_name: ClassVar[str] = "ayrshare"
    default_base_url: ClassVar[str] = "https://api.ayrshare.com"
    rate_limit: ClassVar[RateLimit | None] = RateLimit(300, RATE_LIMIT_WINDOW_SECONDS)
    #: 1,000 429s within 24 hours suspend the profile: a 429 is never sent again.
    retries_rate_limited: ClassVar[bool] = False

    def check_rules(self, update: AyrshareConversationUpdate) -> None:
        path_segment("ayrshare.conversationId", update.conversation_id)
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
        conversation_id = path_segment("ayrshare.conversationId", update.conversation_id)
        return UpstreamRequest(
            "PUT",
            f"/api/messages/{update.platform.value}/{conversation_id}",
            json={"status": update.status.value},
            headers=headers,
        )

    def parse_update(
        self, update: AyrshareConversationUpdate, response: UpstreamResponse
    ) -> AyrshareConversation:
        body = response.json()
        status = body.get("status") if isinstance(body, dict) else None
        if status == "error":
            details = self.error_details(response.status, body)
            message = f"{self.display_name} answered HTTP {response.status} with an error"
            if details.message:
                message = f"{message}: {details.message}"
            raise ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                message,
                provider_status=response.status,
                provider_code=details.provider_code,
            )
        if status != "success":
            raise ValueError("Ayrshare answered neither success nor error")
        return AyrshareConversation(
            platform=update.platform, id=update.conversation_id, status=update.status
        )

    async def read_conversations(
        self, refs: Sequence[AyrshareConversationRef], fetch: Fetch
    ) -> Mapping[AyrshareConversationRef, AyrshareConversation]:
        """List the primary profile's messages per platform, active then archived.

        One or two list calls per platform (platforms in parallel), however many refs;
        reading has no side effects at Ayrshare.
        """
        wanted: dict[AyrsharePlatform, set[AyrshareConversationRef]] = defaultdict(set)
        for ref in refs:
            wanted[ref.platform].add(ref)
        found: dict[AyrshareConversationRef, AyrshareConversation] = {}

        async def read_platform(
            platform: AyrsharePlatform, platform_refs: set[AyrshareConversationRef]
        ) -> None:
            for status in AyrshareConversationStatus:
                missing = {ref.id: ref for ref in platform_refs if ref not in found}
                if not missing:
                    return
                response = await fetch(
                    UpstreamRequest(
                        "GET", f"/api/messages/{platform.value}", params={"status": status.value}
                    )
                )
                for message in response.json()["messages"]:
                    ref = missing.get(message["conversationId"])
                    if ref is not None:
                        found[ref] = AyrshareConversation(
                            platform=platform, id=ref.id, status=status
                        )

        await asyncio.gather(*(read_platform(p, r) for p, r in wanted.items()))
        return found

    def target(self, update: AyrshareConversationUpdate) -> Hashable:
        return (update.platform, update.conversation_id, update.profile_key)

    def budget_scope(self, update: AyrshareConversationUpdate) -> str:
        return update.profile_key or ""

    def spent_budget_wait(self, response: UpstreamResponse) -> float | None:
        """The window's length once `x-ratelimit-count` has reached `x-ratelimit-max`."""
        allowed = _count(response.header("x-ratelimit-max"))
        made = _count(response.header("x-ratelimit-count"))
        if allowed is None or allowed < 1 or made is None or made < allowed:
            return None
        return RATE_LIMIT_WINDOW_SECONDS

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


def _count(value: str | None) -> int | None:
    """A rate-limit header's count, or None when it is missing or not a count."""
    if value is None or not COUNT_PATTERN.fullmatch(value.strip()):
        return None
    return int(value)


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
