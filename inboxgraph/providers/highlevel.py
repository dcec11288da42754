"""HighLevel (LeadConnector): `PUT /conversations/messages/{messageId}/status`.

Only the app registered as a conversation's provider may set a message's status, and
right after a message is sent HighLevel refuses status updates with a 403 for about
5-10 s, until the message is "downstreamed". Both refusals carry the same documented
body, so on a 403 inboxgraph reads the message (`GET /conversations/messages/{id}`):
while its `dateAdded` is at most `DOWNSTREAM_SECONDS` ago the refusal is taken for the
transient one and the update (setting a status is idempotent) is retried with backoff,
within a configurable budget; a 403 for an older message, or one whose `dateAdded`
cannot be read, is reported at once.

HighLevel's error body `{"statusCode", "message", "error"}` carries no code of its
own (`statusCode` repeats the HTTP status), so `providerCode` stays null.

Every answer reports the budget of the app in the location: `X-RateLimit-Remaining`
requests are left in the burst window of `X-RateLimit-Interval-Milliseconds`, and
`X-RateLimit-Daily-Remaining` in the day. Once either is spent (other clients of the
same app and location may have spent it), the location sends nothing for a while, so no
request leaves that HighLevel would refuse:

- burst spent: the interval HighLevel states (10 s, as documented, when that header
  is missing or unreadable), the longest the current burst window can still last;
- day spent: `DAILY_SPENT_WAIT_SECONDS`, one hour. HighLevel does not say when its day
  starts (a rolling 24 hours, or a calendar day in some time zone), so the only wait
  sure to outlast it is a whole day, which could hold a location back for up to a day
  after its budget came back. A refused request costs nothing at HighLevel (unlike
  Ayrshare, it documents no penalty), so inboxgraph waits an hour and then lets
  requests find out: at most an hour is lost once the budget is back.

A count that is missing or unreadable holds nothing back.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from inboxgraph.domain.highlevel import (
    HighLevelConversation,
    HighLevelConversationRef,
    HighLevelMessage,
    HighLevelMessageStatusUpdate,
)
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest, UpstreamResponse
from inboxgraph.providers.errors import ErrorDetails, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.providers.paths import path_segment

API_VERSION = "2021-04-15"
FIRST_FORBIDDEN_RETRY_DELAY = 0.5
#: A message this young may still be refused while HighLevel "downstreams" it (the
#: provider docs say about 5-10 s; a little more allows for clock skew).
DOWNSTREAM_SECONDS = 15.0
#: The documented burst limit: 100 requests per 10 seconds, per app per location.
BURST_REQUESTS = 100
BURST_SECONDS = 10.0
#: How long a location sends nothing once HighLevel reports its daily budget spent.
DAILY_SPENT_WAIT_SECONDS = 3600.0
#: A rate-limit header's number: ASCII digits, possibly negative.
HEADER_NUMBER = re.compile(r"-?[0-9]{1,12}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HighLevelAdapter(
    ProviderAdapter[HighLevelMessageStatusUpdate, HighLevelConversation, HighLevelConversationRef]
):
    """HighLevel's message status update.

    `forbidden_retry_seconds` is how long, in total, the transient 403 is retried (0
    disables it); `clock` gives the current time, against which `dateAdded` is read.
    """

    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    display_name: ClassVar[str] = "HighLevel"
    input_name: ClassVar[str] = "highLevel"
    default_base_url: ClassVar[str] = "https://services.leadconnectorhq.com"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Version": API_VERSION,
        "Accept": "application/json",
    }
    #: The burst limit, per app per location (one credential).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(BURST_REQUESTS, BURST_SECONDS)

    def __init__(
        self, *, forbidden_retry_seconds: float, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        if forbidden_retry_seconds < 0:
            raise ValueError(
                f"forbidden_retry_seconds must not be negative, got {forbidden_retry_seconds}"
            )
        self.forbidden_retry_delays = forbidden_backoff(forbidden_retry_seconds)
        self._clock = clock

    def check_rules(self, update: HighLevelMessageStatusUpdate) -> None:
        path_segment("highLevel.messageId", update.message_id)

    def build_update(self, update: HighLevelMessageStatusUpdate) -> UpstreamRequest:
        body: dict[str, Any] = {"status": update.status.value}
        if update.error is not None:
            body["error"] = {
                "code": update.error.code,
                "type": update.error.type,
                "message": update.error.message,
            }
        if update.email_message_id is not None:
            body["emailMessageId"] = update.email_message_id
        if update.recipients is not None:
            body["recipients"] = list(update.recipients)
        message_id = path_segment("highLevel.messageId", update.message_id)
        return UpstreamRequest("PUT", f"/conversations/messages/{message_id}/status", json=body)

    def parse_update(
        self, update: HighLevelMessageStatusUpdate, response: UpstreamResponse
    ) -> HighLevelConversation:
        return HighLevelConversation(
            id=_non_empty_string(response.json()["conversationId"], "conversationId"),
            message=HighLevelMessage(id=update.message_id, status=update.status),
        )

    async def read_conversations(
        self, refs: Sequence[HighLevelConversationRef], fetch: Fetch
    ) -> Mapping[HighLevelConversationRef, HighLevelConversation]:
        """`GET /conversations/{id}` per ref, concurrently (bounded by the pacer): its
        `unreadCount` and `deleted`, when the answer carries them, tell the read and
        deleted state."""

        async def read_one(ref: HighLevelConversationRef) -> HighLevelConversation | None:
            try:
                conversation_id = path_segment("highLevel.id", ref.id)
            except ProviderError:
                return None
            try:
                response = await fetch(UpstreamRequest("GET", f"/conversations/{conversation_id}"))
            except ProviderError as error:
                if error.code is UpdateErrorCode.NOT_FOUND:
                    return None
                raise
            body = response.json()
            if not isinstance(body, dict):
                raise TypeError("a conversation is not an object")
            unread = body.get("unreadCount")
            deleted = body.get("deleted")
            return HighLevelConversation(
                id=_non_empty_string(body["id"], "id"),
                unread_count=unread
                if isinstance(unread, int) and not isinstance(unread, bool) and unread >= 0
                else None,
                deleted=deleted if isinstance(deleted, bool) else None,
            )

        conversations = await asyncio.gather(*(read_one(ref) for ref in refs))
        return {ref: c for ref, c in zip(refs, conversations, strict=True) if c is not None}

    def target(self, update: HighLevelMessageStatusUpdate) -> Hashable:
        return update.message_id

    async def after_failure(
        self,
        update: HighLevelMessageStatusUpdate,
        error: ProviderError,
        attempt: int,
        fetch: Fetch,
    ) -> float | ProviderError:
        """Retry a 403 only while the message is young enough to be "downstreamed"."""
        if error.code is not UpdateErrorCode.FORBIDDEN or not self.forbidden_retry_delays:
            return error
        sent_at = await self._message_sent_at(update.message_id, fetch)
        if sent_at is None:
            return error.with_message(
                f"{error.message}; not retried: the message's dateAdded could not be read, "
                "so this cannot be told apart from a permanent refusal"
            )
        young = self._clock() - sent_at <= timedelta(seconds=DOWNSTREAM_SECONDS)
        if attempt == 0 and not young:
            return error.with_message(
                f"{error.message}; not retried: the message was sent at "
                f"{sent_at.isoformat()}, not moments ago, so this is not the refusal "
                "HighLevel gives while it downstreams a new message (is this app the "
                "conversation's provider?)"
            )
        if young and attempt < len(self.forbidden_retry_delays):
            return self.forbidden_retry_delays[attempt]
        waited = sum(self.forbidden_retry_delays[:attempt])
        retries = "1 retry" if attempt == 1 else f"{attempt} retries"
        return error.with_message(
            f"{error.message} (still refused after retrying for {waited:g} s, {retries}; "
            "HighLevel refuses status updates for about 5-10 s after a message is sent, "
            "and always when this app is not the conversation's provider)"
        )

    async def _message_sent_at(self, message_id: str, fetch: Fetch) -> datetime | None:
        """The message's `dateAdded`, or None when it cannot be read."""
        path = f"/conversations/messages/{path_segment('highLevel.messageId', message_id)}"
        try:
            date_added = (await fetch(UpstreamRequest("GET", path))).json()["dateAdded"]
            if not isinstance(date_added, str):
                return None
            sent_at = datetime.fromisoformat(date_added)
        except (ProviderError, KeyError, TypeError, ValueError):
            return None
        return sent_at if sent_at.utcoffset() is not None else sent_at.replace(tzinfo=UTC)

    def spent_budget_wait(self, response: UpstreamResponse) -> float | None:
        """The burst interval once the burst is spent, an hour once the day is (the
        longer when both are)."""
        waits: list[float] = []
        burst_left = _header_number(response, "x-ratelimit-remaining")
        if burst_left is not None and burst_left <= 0:
            interval = _header_number(response, "x-ratelimit-interval-milliseconds")
            waits.append(
                interval / 1000 if interval is not None and interval > 0 else BURST_SECONDS
            )
        day_left = _header_number(response, "x-ratelimit-daily-remaining")
        if day_left is not None and day_left <= 0:
            waits.append(DAILY_SPENT_WAIT_SECONDS)
        return max(waits, default=None)

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        if not isinstance(body, dict):
            return ErrorDetails()
        message = _joined_message(body.get("message"))
        if message is None and isinstance(body.get("error"), str):
            message = body["error"]
        return ErrorDetails(message=message)


def forbidden_backoff(budget_seconds: float) -> tuple[float, ...]:
    """Delays that double from 0.5 s, the last one cut so that they add up to the budget."""
    delays: list[float] = []
    waited = 0.0
    delay = FIRST_FORBIDDEN_RETRY_DELAY
    while budget_seconds - waited > 1e-9:
        step = min(delay, budget_seconds - waited)
        delays.append(step)
        waited += step
        delay *= 2
    return tuple(delays)


def _header_number(response: UpstreamResponse, name: str) -> int | None:
    """A rate-limit header as a whole number, or None when it is missing or not one."""
    value = (response.header(name) or "").strip()
    return int(value) if HEADER_NUMBER.fullmatch(value) else None


def _joined_message(message: Any) -> str | None:
    """HighLevel's `message`: a string, or a list of strings in its validation errors."""
    if isinstance(message, str) and message:
        return message
    if isinstance(message, list):
        parts = [part for part in message if isinstance(part, str) and part]
        return "; ".join(parts) or None
    return None


def _non_empty_string(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is not a non-empty string")
    return value
