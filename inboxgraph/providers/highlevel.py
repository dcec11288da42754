"""HighLevel (LeadConnector): `PUT /conversations/messages/{messageId}/status`.

Only the app registered as a conversation's provider may set a message's status, and
right after a message is sent HighLevel refuses status updates with a 403 for about
5-10 s, until the message is "downstreamed". Setting a status is idempotent, so a 403
is retried with exponential backoff within a configurable budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
import strawberry

from inboxgraph.providers.base import Fetch, ProviderAdapter, UpstreamRequest
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.schema.conversations import HighLevelConversation, HighLevelMessage
from inboxgraph.schema.enums import HighLevelMessageStatus, Provider, UpdateErrorCode
from inboxgraph.schema.inputs import HighLevelMessageStatusUpdate

API_VERSION = "2021-04-15"
FIRST_FORBIDDEN_RETRY_DELAY = 0.5


class HighLevelAdapter(ProviderAdapter[HighLevelMessageStatusUpdate, HighLevelConversation]):
    """HighLevel's message status update.

    `forbidden_retry_seconds` is how long, in total, a 403 is retried (0 disables it).
    """

    provider: ClassVar[Provider] = Provider.HIGHLEVEL
    display_name: ClassVar[str] = "HighLevel"
    default_base_url: ClassVar[str] = "https://services.leadconnectorhq.com"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Version": API_VERSION,
        "Accept": "application/json",
    }
    #: The burst limit, per app per location (one credential).
    rate_limit: ClassVar[RateLimit | None] = RateLimit(100, 10.0)

    def __init__(self, *, forbidden_retry_seconds: float) -> None:
        if forbidden_retry_seconds < 0:
            raise ValueError(
                f"forbidden_retry_seconds must not be negative, got {forbidden_retry_seconds}"
            )
        self.forbidden_retry_delays = forbidden_backoff(forbidden_retry_seconds)

    def validate(self, update: HighLevelMessageStatusUpdate) -> None:
        if not update.message_id.strip():
            raise InvalidInput("highLevel.messageId", "must not be blank")
        if update.email_message_id is not None and not update.email_message_id.strip():
            raise InvalidInput(
                "highLevel.emailMessageId", "must not be blank when given (omit it instead)"
            )
        if update.recipients is not None:
            _validate_recipients(update.recipients)
        if update.error is not None:
            if update.status is not HighLevelMessageStatus.FAILED:
                raise InvalidInput(
                    "highLevel.error",
                    "only goes with status FAILED (it is the provider's reason for the "
                    f"failure); got status {update.status.name}",
                )
            for name in ("code", "type", "message"):
                if not getattr(update.error, name).strip():
                    raise InvalidInput(f"highLevel.error.{name}", "must not be blank")

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
        return UpstreamRequest(
            "PUT", f"/conversations/messages/{quote(update.message_id, safe='')}/status", json=body
        )

    def parse_update(
        self, update: HighLevelMessageStatusUpdate, response: httpx.Response
    ) -> HighLevelConversation:
        conversation_id = response.json()["conversationId"]
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ValueError("conversationId is not a non-empty string")
        return HighLevelConversation(
            id=strawberry.ID(conversation_id),
            message=HighLevelMessage(id=update.message_id, status=update.status),
        )

    async def read_conversations(
        self, keys: Sequence[Hashable], fetch: Fetch
    ) -> Mapping[Hashable, HighLevelConversation]:
        """`GET /conversations/{id}` per key, concurrently (bounded by the pacer)."""

        async def read_one(conversation_id: str) -> HighLevelConversation | None:
            try:
                response = await fetch(
                    UpstreamRequest("GET", f"/conversations/{quote(conversation_id, safe='')}")
                )
            except ProviderError as error:
                if error.code is UpdateErrorCode.NOT_FOUND:
                    return None
                raise
            return HighLevelConversation(id=strawberry.ID(response.json()["id"]), message=None)

        ids = [str(key) for key in keys]
        conversations = await asyncio.gather(*(read_one(i) for i in ids))
        return {i: c for i, c in zip(ids, conversations, strict=True) if c is not None}

    def target_key(self, update: HighLevelMessageStatusUpdate) -> Hashable:
        return update.message_id

    def retry_delay(self, error: ProviderError, attempt: int) -> float | None:
        """Back off on a 403 while the retry budget lasts.

        When the budget is spent, the error's message says how long it was retried.
        """
        if error.code is not UpdateErrorCode.FORBIDDEN:
            return None
        if attempt < len(self.forbidden_retry_delays):
            return self.forbidden_retry_delays[attempt]
        if attempt > 0:
            waited = sum(self.forbidden_retry_delays[:attempt])
            retries = "1 retry" if attempt == 1 else f"{attempt} retries"
            error.message = (
                f"{error.message} (still refused after retrying for {waited:g} s, {retries}; "
                "HighLevel refuses status updates for about 5-10 s after a message is sent, "
                "and always when this app is not the conversation's provider)"
            )
        return None

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        if not isinstance(body, dict):
            return ErrorDetails()
        status_code = body.get("statusCode")
        has_code = isinstance(status_code, int) and not isinstance(status_code, bool)
        message = _joined_message(body.get("message"))
        if message is None and isinstance(body.get("error"), str):
            message = body["error"]
        return ErrorDetails(provider_code=str(status_code) if has_code else None, message=message)


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


def _validate_recipients(recipients: Sequence[str]) -> None:
    if not recipients:
        raise InvalidInput(
            "highLevel.recipients", "must list at least one recipient when given (omit it instead)"
        )
    for position, recipient in enumerate(recipients):
        if not recipient.strip():
            raise InvalidInput(
                "highLevel.recipients", f"entries must not be blank; recipients[{position}] is"
            )


def _joined_message(message: Any) -> str | None:
    """HighLevel's `message`: a string, or a list of strings in its validation errors."""
    if isinstance(message, str) and message:
        return message
    if isinstance(message, list):
        parts = [part for part in message if isinstance(part, str) and part]
        return "; ".join(parts) or None
    return None
