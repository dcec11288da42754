"""The network under the shared httpx client: an httpx transport on aiohttp's client.

httpx's own transport (httpcore over anyio) spent about half of a live update's CPU in
a serving process (benchmarks/http.py: scanning its pool's idle connections, locks and
cancel scopes on every call); aiohttp's client, with its C parser, spends a fraction of
that. Everything above the transport stays httpx: requests, responses, decoding, the
deadline and the cap on answers (`providers/transport.py`), tests' mock transports.

aiohttp's failures become the httpx exceptions that mean the same, so that what a call
may have changed is told as before: a connection never made (refused, no such host, a
TLS handshake refused, no connection within the connect timeout) is `httpx.ConnectError`
or `httpx.ConnectTimeout`, nothing sent; anything after the connection was made (a
dropped connection, a reset, a body cut short, a broken answer, a read timeout) may come
after the request was applied.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import httpx

#: aiohttp's failures, most specific first, and the httpx exception that means the same.
FAILURES: tuple[tuple[type[aiohttp.ClientError], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.ReadError),
)


@contextmanager
def httpx_failures() -> Iterator[None]:
    """aiohttp's failures raised as their httpx counterparts (the class alone is ever
    told, so no text is carried over)."""
    try:
        yield
    except aiohttp.ClientError as error:
        for failure, counterpart in FAILURES:
            if isinstance(error, failure):
                raise counterpart(type(error).__name__) from error
        raise  # pragma: no cover (FAILURES ends with ClientError)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx's requests with one pooled aiohttp session, made on first use (in the
    event loop that uses it)."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        self._limits = limits
        # httpx's trust store (certifi), so that what is trusted does not change.
        self._ssl = ssl_context or httpx.create_ssl_context()
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry or 0,
            ssl=self._ssl,
        )
        return aiohttp.ClientSession(
            connector=connector,
            # httpx decodes bodies, as it does over its own transport.
            auto_decompress=False,
            # Deadlines are httpx's (per request) and inboxgraph's own.
            timeout=aiohttp.ClientTimeout(total=None),
            # Proxies from the environment are httpx's business: see `network_transport`.
            trust_env=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = self._open_session()
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        with httpx_failures():
            answer = await self._session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        extensions = {"http_version": b"HTTP/1.1"}
        if answer.reason:
            extensions["reason_phrase"] = answer.reason.encode("latin-1", "replace")
        return httpx.Response(
            status_code=answer.status,
            headers=answer.raw_headers,
            stream=_AnswerStream(answer),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _AnswerStream(httpx.AsyncByteStream):
    """An answer's body as it arrives; closing it before its end closes the connection
    (a part of an answer left unread must not be read as the next one)."""

    def __init__(self, answer: aiohttp.ClientResponse) -> None:
        self._answer = answer
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_failures():
            async for chunk in self._answer.content.iter_any():
                yield chunk
        self._complete = True

    async def aclose(self) -> None:
        if self._complete:
            self._answer.release()
        else:
            self._answer.close()


#: The environment's proxy settings that send requests through a proxy.
PROXY_SCHEMES = frozenset({"http", "https", "all"})


def network_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """The transport live providers are reached through: aiohttp's, unless the environment
    configures a proxy (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY), which httpx's own transport
    honours as it always has (None: httpx's own)."""
    if PROXY_SCHEMES & set(urllib.request.getproxies()):
        return None
    return AiohttpTransport(limits)
