"""The one place where provider HTTP calls happen: auth, pacing, errors, redaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Generic

import httpx

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.base import (
    ConversationT,
    ProviderAdapter,
    RefT,
    UpdateT,
    UpstreamRequest,
    UpstreamResponse,
)
from inboxgraph.providers.errors import ProviderError, ReadUnsupported, error_from_status
from inboxgraph.providers.pacing import Pacer, PacerPool
from inboxgraph.providers.transport import exchange
from inboxgraph.request_scope import seconds_left
from inboxgraph.secrets import Redactor, Secret

logger = logging.getLogger("inboxgraph.providers")

#: How long to send nothing after a 429 that does not say how long to wait.
DEFAULT_RATE_LIMITED_WAIT = 1.0


class ProviderClient(Generic[UpdateT, ConversationT, RefT]):
    """One provider account: its adapter, where and how to reach it, and its pacing."""

    def __init__(
        self,
        adapter: ProviderAdapter[UpdateT, ConversationT, RefT],
        http: httpx.AsyncClient,
        *,
        base_url: str | None,
        token: Secret | None,
        redactor: Redactor,
        not_configured_reason: str | None = None,
        max_pacing_wait: float = 2.0,
        timeout_seconds: float = 10.0,
        max_response_bytes: int = 1_048_576,
    ) -> None:
        self.adapter = adapter
        self._http = http
        self._timeout_seconds = timeout_seconds
        self._max_response_bytes = max_response_bytes
        self._base_url = (base_url or "").rstrip("/")
        self._token = token
        self._redactor = redactor
        self._not_configured_reason = not_configured_reason
        self._max_wait = max_pacing_wait
        self._pacers = PacerPool(
            lambda: Pacer(
                adapter.display_name,
                max_concurrency=adapter.max_concurrency,
                rate_limit=adapter.rate_limit,
                max_wait=max_pacing_wait,
            )
        )

    @property
    def name(self) -> str:
        return self.adapter.display_name

    async def update(self, update: UpdateT) -> ConversationT:
        """Send one validated update and return the updated conversation."""
        with self._redacted_errors():
            response = await self._send_update(update)
            with self._unconfirmed_success(response.status):
                return self.adapter.parse_update(update, response)

    async def read(self, refs: Sequence[RefT]) -> Mapping[RefT, ConversationT]:
        """Read conversations by reference; refs missing from the result were not found."""
        reason = self.adapter.read_unsupported_reason
        if reason is not None:
            raise ReadUnsupported(reason)
        with self._redacted_errors(), self._unreadable_read():
            return await self.adapter.read_conversations(refs, self._read)

    async def _send_update(self, update: UpdateT) -> UpstreamResponse:
        """Send an update, retrying where the adapter says a retry is safe and useful."""
        request = self.adapter.build_update(update)
        scope = self.adapter.budget_scope(update)
        attempt = 0
        while True:
            try:
                return await self._send(request, scope)
            except ProviderError as error:
                decision = await self.adapter.after_failure(update, error, attempt, self._read)
                if isinstance(decision, ProviderError):
                    raise decision from None
                logger.info(
                    "%s %s: retrying in %.1f s (attempt %d)",
                    self.name,
                    error.code.name,
                    decision,
                    attempt + 1,
                )
                left = seconds_left()
                if left is not None and decision >= left:
                    raise error.with_message(
                        f"{error.message} (not retried: the request's deadline is too near)"
                    ) from None
                attempt += 1
                await asyncio.sleep(decision)

    async def _read(self, request: UpstreamRequest) -> UpstreamResponse:
        return await self._send(request, "")

    @contextmanager
    def _redacted_errors(self) -> Iterator[None]:
        """Every failure leaving this client passes here: no credential in its message."""
        try:
            yield
        except ProviderError as error:
            redacted = self._redactor.redact(error.message)
            if redacted == error.message:
                raise
            raise error.with_message(redacted) from None

    @contextmanager
    def _unconfirmed_success(self, status: int) -> Iterator[None]:
        """A success answer the adapter cannot read: the update may have been applied."""
        try:
            yield
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "%s answered HTTP %d with an unexpected body (%s)",
                self.name,
                status,
                type(exc).__name__,
            )
            raise ProviderError(
                UpdateErrorCode.UNCONFIRMED,
                f"{self.name} answered HTTP {status} (success) with a body inboxgraph could "
                "not read; the update may have been applied: read the conversation before "
                "sending it again",
                provider_status=status,
                retryable=False,
                may_have_been_applied=True,
            ) from None

    @contextmanager
    def _unreadable_read(self) -> Iterator[None]:
        try:
            yield
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "%s answered a read with an unexpected body (%s)", self.name, type(exc).__name__
            )
            raise ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                f"{self.name} answered a read with a body inboxgraph could not read",
            ) from None

    async def _send(self, request: UpstreamRequest, scope: str) -> UpstreamResponse:
        if self._not_configured_reason is not None or self._token is None:
            raise ProviderError(
                UpdateErrorCode.NOT_CONFIGURED,
                f"{self.name} is not configured: {self._not_configured_reason}",
            )
        headers = {
            **self.adapter.static_headers,
            **self.adapter.auth_headers(self._token.reveal()),
            **request.headers,
        }
        pacer = self._pacers.get(scope)
        left = seconds_left()
        async with pacer.slot(max_wait=None if left is None else min(left, self._max_wait)):
            deadline = self._timeout_seconds if left is None else min(self._timeout_seconds, left)
            if deadline <= 0:
                raise ProviderError(
                    UpdateErrorCode.TIMEOUT,
                    f"{self.name} was not called: the request's deadline had passed",
                )
            try:
                response = await exchange(
                    self._http,
                    self.name,
                    request.method,
                    self._base_url + request.path,
                    json=request.json,
                    params=request.params,
                    headers=headers,
                    deadline_seconds=deadline,
                    max_response_bytes=self._max_response_bytes,
                )
            except ProviderError as error:
                logger.warning(
                    "%s %s %s: %s", self.name, request.method, request.path, error.code.name
                )
                raise
        logger.info("%s %s %s -> %d", self.name, request.method, request.path, response.status)
        self._honour_waits(pacer, response)
        if response.is_success:
            return response
        details = self.adapter.error_details(response.status, _json_or_none(response))
        if not response.complete:
            details = replace(
                details, message=f"a body over {self._max_response_bytes} bytes, not read"
            )
        raise error_from_status(
            self.name, response.status, details, retry_after=_retry_after(response)
        )

    def _honour_waits(self, pacer: Pacer, response: UpstreamResponse) -> None:
        """Stop sending for this scope while the provider has asked to wait."""
        if response.status == 429:
            wait = _retry_after(response) or DEFAULT_RATE_LIMITED_WAIT
            pacer.block(wait, f"{self.name} answered 429 and asked to wait {wait:g} s")
            return
        spent = self.adapter.spent_budget_wait(response)
        if spent is not None:
            pacer.block(spent, f"{self.name} reports its rate-limit budget spent")


def _retry_after(response: UpstreamResponse) -> float | None:
    """Retry-After in seconds, when a 429 or 503 carries it as a number."""
    value = (response.header("retry-after") or "").strip()
    if response.status not in {429, 503} or not value.isdigit():
        return None
    return float(value)


def _json_or_none(response: UpstreamResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
