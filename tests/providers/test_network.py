"""The network under httpx: requests sent as httpx built them, answers read back through
httpx, and every failure told as httpx's counterpart, so that whether a call may have
changed something is told as before. Against real sockets on the loopback."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import aiohttp
import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.base import UpstreamResponse
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.network import AiohttpTransport, httpx_failures, network_transport
from inboxgraph.providers.transport import exchange
from inboxgraph.upstreams import connect_upstreams
from tests.ports import free_port
from tests.served import Received, stub_server

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5)


@contextmanager
def raw_server(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server running `handle` on each connection it accepts; yields its origin."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # so that the accepting thread sees `stopped` soon
    stopped = threading.Event()

    def serve() -> None:
        while not stopped.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopped.set()
        listener.close()
        thread.join(timeout=5)


def read_request(connection: socket.socket) -> bytes:
    """A request's head (the requests here have no body), or OSError once the peer left."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionResetError("the client closed the connection")
        data += chunk
    return data


async def call(
    origin: str,
    method: str = "PATCH",
    *,
    json_body: object = None,
    deadline: float = 5.0,
    cap: int = 1_000_000,
    http: httpx.AsyncClient | None = None,
) -> UpstreamResponse:
    client = http or httpx.AsyncClient(transport=AiohttpTransport(LIMITS))
    try:
        return await exchange(
            client,
            "P",
            method,
            f"{origin}/api/conversations/c1",
            json=json_body,
            params={"page": "2"},
            headers={"Authorization": "Bearer t0ken"},
            deadline_seconds=deadline,
            max_response_bytes=cap,
        )
    finally:
        if http is None:
            await client.aclose()


async def test_a_request_goes_out_as_httpx_built_it_and_its_answer_comes_back() -> None:
    def answer(received: Received) -> tuple[int, str, bytes]:
        return 200, "application/json", b'{"ok": true}'

    with stub_server(answer) as server:
        response = await call(server.origin, json_body={"status": "archived", "n": 0})
    [received] = server.received
    assert (received.method, received.path) == ("PATCH", "/api/conversations/c1?page=2")
    assert received.headers["authorization"] == "Bearer t0ken"
    assert received.headers["content-type"] == "application/json"
    assert json.loads(received.body) == {"status": "archived", "n": 0}
    assert response.status == 200
    assert response.json() == {"ok": True}
    assert response.complete
    assert response.header("content-type") == "application/json"


async def test_a_compressed_answer_is_decoded_by_httpx() -> None:
    def answer(connection: socket.socket) -> None:
        read_request(connection)
        body = gzip.compress(b'{"conversation": {"id": "c1"}}')
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        connection.close()

    with raw_server(answer) as origin:
        response = await call(origin, "GET")
    assert response.json() == {"conversation": {"id": "c1"}}


async def test_a_refused_connection_was_never_sent() -> None:
    with pytest.raises(ProviderError) as refused:
        await call(f"http://127.0.0.1:{free_port()}")
    assert refused.value.code is UpdateErrorCode.UPSTREAM_UNAVAILABLE
    assert refused.value.message == "P could not be reached (ConnectError)"
    assert not refused.value.may_have_been_applied


async def test_a_connection_dropped_before_the_answer_may_have_been_applied() -> None:
    def drop(connection: socket.socket) -> None:
        read_request(connection)
        connection.close()

    with raw_server(drop) as origin, pytest.raises(ProviderError) as dropped:
        await call(origin, json_body={"status": "archived"})
    assert dropped.value.code is UpdateErrorCode.UPSTREAM_UNAVAILABLE
    assert dropped.value.message == "P could not be reached (RemoteProtocolError)"
    assert dropped.value.may_have_been_applied


async def test_an_answer_cut_short_may_have_been_applied() -> None:
    def cut(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"conv')
        connection.close()

    with raw_server(cut) as origin, pytest.raises(ProviderError) as cut_short:
        await call(origin)
    assert cut_short.value.code is UpdateErrorCode.UPSTREAM_UNAVAILABLE
    assert cut_short.value.message == "P could not be reached (ReadError)"
    assert cut_short.value.may_have_been_applied


async def test_no_answer_within_the_deadline_is_a_timeout_that_may_have_been_applied() -> None:
    released = threading.Event()

    def silent(connection: socket.socket) -> None:
        read_request(connection)
        released.wait(10)
        connection.close()

    try:
        with raw_server(silent) as origin, pytest.raises(ProviderError) as silence:
            await call(origin, deadline=0.3)
    finally:
        released.set()
    assert silence.value.code is UpdateErrorCode.TIMEOUT
    assert silence.value.may_have_been_applied


async def test_connections_are_kept_alive_except_after_an_answer_left_unread() -> None:
    accepted: list[socket.socket] = []

    def keep_alive(connection: socket.socket) -> None:
        accepted.append(connection)
        with contextlib.suppress(OSError):
            while True:
                if read_request(connection).startswith(b"GET /big"):
                    # A part of a long answer; the rest would come once the client reads on.
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50000\r\n\r\n")
                    connection.sendall(b"x" * 2_000)
                    while connection.recv(65536):  # until the client closes the connection
                        pass
                    return
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nxx")

    async def get(http: httpx.AsyncClient, origin: str, path: str) -> UpstreamResponse:
        return await exchange(
            http,
            "P",
            "GET",
            f"{origin}{path}",
            json=None,
            params={},
            headers={},
            deadline_seconds=5,
            max_response_bytes=1_000,
        )

    with raw_server(keep_alive) as origin:
        async with httpx.AsyncClient(transport=AiohttpTransport(LIMITS)) as http:
            first, second = await get(http, origin, "/small"), await get(http, origin, "/small")
            assert len(accepted) == 1  # the second call reused the first's connection
            big = await get(http, origin, "/big")
            after = await get(http, origin, "/small")
    assert (first.content, second.content) == (b"xx", b"xx")
    assert (len(big.content), big.complete) == (1_000, False)
    # The connection with the rest of the big answer was closed: this one came on a new one.
    assert (after.content, after.complete) == (b"xx", True)
    assert len(accepted) == 2


@pytest.mark.parametrize(
    ("failure", "counterpart"),
    [
        (aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError(), httpx.ReadError),
        (aiohttp.ClientConnectionResetError(), httpx.ReadError),
        (aiohttp.ClientError(), httpx.ReadError),
    ],
)
def test_each_failure_is_told_as_httpx_tells_it(
    failure: aiohttp.ClientError, counterpart: type[httpx.TransportError]
) -> None:
    with pytest.raises(httpx.TransportError) as told, httpx_failures():
        raise failure
    assert type(told.value) is counterpart
    assert str(told.value) == type(failure).__name__


def test_a_proxy_in_the_environment_keeps_httpx_s_own_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    assert isinstance(network_transport(LIMITS), AiohttpTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert network_transport(LIMITS) is None


async def test_live_providers_are_reached_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    upstreams = connect_upstreams(load_settings({"INBOXGRAPH_PUFFLE_TOKEN": "t"}))
    try:
        assert isinstance(upstreams.http._transport, AiohttpTransport)
    finally:
        await upstreams.aclose()
