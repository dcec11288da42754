"""One bounded HTTP exchange with a provider: a total deadline and a cap on the answer.

The deadline covers everything (connecting, sending, and reading the whole answer), so
an upstream that trickles its answer a byte at a time cannot hold a call for longer.
The answer is read as it streams in and cut off past the cap, so a huge body is never
held in memory. Only the class of a transport failure is ever told, never its text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.base import UpstreamResponse
from inboxgraph.providers.errors import ProviderError

#: Transport failures that happen before a request leaves: nothing can have changed.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def exchange(
    http: httpx.AsyncClient,
    provider_name: str,
    method: str,
    url: str,
    *,
    json: Any,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    deadline_seconds: float,
    max_response_bytes: int,
) -> UpstreamResponse:
    """Send one request and read its answer, within `deadline_seconds` and
    `max_response_bytes`; a failure is a ProviderError saying whether it may have been
    applied."""
    try:
        async with asyncio.timeout(deadline_seconds):
            async with http.stream(
                method, url, json=json, params=params or None, headers=headers
            ) as answer:
                content, complete = await _read_capped(answer, max_response_bytes)
    except TimeoutError:
        raise ProviderError(
            UpdateErrorCode.TIMEOUT,
            f"{provider_name} did not answer within {deadline_seconds:g} s",
            may_have_been_applied=True,
        ) from None
    except httpx.TransportError as exc:
        raise transport_error(provider_name, exc) from None
    return UpstreamResponse(
        status=answer.status_code,
        headers={name.lower(): value for name, value in answer.headers.items()},
        content=content,
        complete=complete,
    )


async def _read_capped(answer: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """At most `max_bytes` of the body, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            chunks.append(chunk[: max_bytes - (size - len(chunk))])
            return b"".join(chunks), False
        chunks.append(chunk)
    return b"".join(chunks), True


def transport_error(provider_name: str, exc: httpx.TransportError) -> ProviderError:
    """Map a failure to get any answer. Only the exception's class is used, never its text."""
    never_sent = isinstance(exc, NEVER_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(
            UpdateErrorCode.TIMEOUT,
            f"{provider_name} did not answer in time",
            may_have_been_applied=not never_sent,
        )
    return ProviderError(
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        f"{provider_name} could not be reached ({type(exc).__name__})",
        may_have_been_applied=not never_sent,
    )
