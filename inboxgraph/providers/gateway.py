"""The one place where provider HTTP calls happen: auth, pacing, errors, redaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Generic

import httpx

from inboxgraph.providers.base import ConversationT, ProviderAdapter, UpdateT, UpstreamRequest
from inboxgraph.providers.errors import (
    ProviderError,
    ReadUnsupported,
    error_from_status,
    error_from_transport,
)
from inboxgraph.providers.pacing import Pacer
from inboxgraph.redaction import Redactor
from inboxgraph.schema.enums import UpdateErrorCode

logger = logging.getLogger("inboxgraph.providers")


class ProviderGateway(Generic[UpdateT, ConversationT]):
    """One provider account: its adapter, where and how to reach it, and its pacing."""

    def __init__(
        self,
        adapter: ProviderAdapter[UpdateT, ConversationT],
        client: httpx.AsyncClient,
        *,
        base_url: str | None,
        token: str | None,
        redactor: Redactor,
        not_configured_reason: str | None = None,
        max_pacing_wait: float = 2.0,
    ) -> None:
        self.adapter = adapter
        self._client = client
        self._base_url = (base_url or "").rstrip("/")
        self._token = token
        self._redactor = redactor
        self._not_configured_reason = not_configured_reason
        self._max_pacing_wait = max_pacing_wait
        self._pacers: dict[str, Pacer] = {}

    @property
    def name(self) -> str:
        return self.adapter.display_name

    async def update(self, update: UpdateT) -> ConversationT:
        """Send one validated update and return the updated conversation."""
        request = self.adapter.build_update(update)
        response = await self.send(request, pacing_key=self.adapter.pacing_key(update))
        with self._unreadable_body(f"HTTP {response.status_code}", response.status_code):
            return self.adapter.parse_update(update, response)

    async def read(self, keys: Sequence[Hashable]) -> Mapping[Hashable, ConversationT]:
        """Read conversations by key; missing keys were not found."""
        reason = self.adapter.read_unsupported_reason
        if reason is not None:
            raise ReadUnsupported(reason)
        with self._unreadable_body("a read", provider_status=None):
            return await self.adapter.read_conversations(keys, self._send_read)

    @contextmanager
    def _unreadable_body(self, answered: str, provider_status: int | None) -> Iterator[None]:
        """Turn a parser's KeyError/TypeError/ValueError into UPSTREAM_ERROR, never a crash."""
        try:
            yield
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "%s answered %s with an unexpected body (%s)",
                self.name,
                answered,
                type(exc).__name__,
            )
            raise ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                f"{self.name} answered {answered} with a body inboxgraph could not read",
                provider_status=provider_status,
            ) from None

    async def _send_read(self, request: UpstreamRequest) -> httpx.Response:
        # Retries are for documented transient refusals of updates, not for reads.
        return await self.send(request, retry=False)

    async def send(
        self, request: UpstreamRequest, *, pacing_key: str = "", retry: bool = True
    ) -> httpx.Response:
        """Send `request`, retrying only where the adapter says a retry is safe and useful."""
        if self._not_configured_reason is not None or self._token is None:
            raise ProviderError(
                UpdateErrorCode.NOT_CONFIGURED,
                f"{self.name} is not configured: {self._not_configured_reason}",
            )
        attempt = 0
        while True:
            try:
                return await self._send_once(request, pacing_key)
            except ProviderError as error:
                delay = self.adapter.retry_delay(error, attempt) if retry else None
                if delay is None:
                    raise
                logger.info(
                    "%s %s: retrying in %.1f s (attempt %d)",
                    self.name,
                    error.code.name,
                    delay,
                    attempt + 1,
                )
                attempt += 1
                await asyncio.sleep(delay)

    async def _send_once(self, request: UpstreamRequest, pacing_key: str) -> httpx.Response:
        assert self._token is not None
        headers = {
            **self.adapter.static_headers,
            **self.adapter.auth_headers(self._token),
            **request.headers,
        }
        async with self._pacer(pacing_key).slot():
            try:
                response = await self._client.request(
                    request.method,
                    self._base_url + request.path,
                    json=request.json,
                    params=request.params or None,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                error = error_from_transport(self.name, exc)
                logger.warning(
                    "%s %s %s: %s", self.name, request.method, request.path, error.code.name
                )
                raise error from None
        logger.info("%s %s %s -> %d", self.name, request.method, request.path, response.status_code)
        if response.is_success:
            return response
        details = self.adapter.error_details(response.status_code, _json_or_none(response))
        if details.message:
            details = replace(details, message=self._redactor.redact(details.message))
        error = error_from_status(self.name, response.status_code, details)
        retry_after = response.headers.get("Retry-After")
        if response.status_code == 429 and retry_after and retry_after.isdigit():
            error.message = f"{error.message} (retry after {retry_after} s)"
        raise error

    def _pacer(self, key: str) -> Pacer:
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = Pacer(
                self.name,
                max_concurrency=self.adapter.max_concurrency,
                rate_limit=self.adapter.rate_limit,
                max_wait=self._max_pacing_wait,
            )
            self._pacers[key] = pacer
        return pacer


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
