"""One bounded exchange: a total deadline, a cap on the answer, failures told by class."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import httpx
import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.providers.base import UpstreamResponse
from inboxgraph.providers.errors import ProviderError
from inboxgraph.providers.transport import exchange
from tests.served import Received, stub_server


class Stream(httpx.AsyncByteStream):
    """A body produced chunk by chunk, counting how much was asked for."""

    def __init__(self, chunks: Callable[[], AsyncIterator[bytes]]) -> None:
        self._chunks = chunks
        self.produced = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks():
            self.produced += 1
            yield chunk


def client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def call(
    http: httpx.AsyncClient, *, deadline: float = 5.0, cap: int = 1_000_000
) -> UpstreamResponse:
    return await exchange(
        http,
        "P",
        "GET",
        "https://p.test/x",
        json=None,
        params={},
        headers={},
        deadline_seconds=deadline,
        max_response_bytes=cap,
    )


async def test_a_trickling_answer_is_cut_off_at_the_total_deadline() -> None:
    async def trickle() -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(0.05)
            yield b"x"

    async with client(lambda request: httpx.Response(200, stream=Stream(trickle))) as http:
        started = time.monotonic()
        with pytest.raises(ProviderError) as caught:
            await call(http, deadline=0.3)
    assert time.monotonic() - started < 1.0
    assert caught.value.code is UpdateErrorCode.TIMEOUT
    assert caught.value.may_have_been_applied is True
    assert caught.value.message == "P did not answer within 0.3 s"


async def test_a_huge_answer_is_read_up_to_the_cap_only() -> None:
    async def huge() -> AsyncIterator[bytes]:
        for _ in range(800):  # 50 MB, were it all read
            yield b"y" * 65536

    stream = Stream(huge)
    async with client(lambda request: httpx.Response(500, stream=stream)) as http:
        response = await call(http, cap=100_000)
    assert response.content == b"y" * 100_000
    assert response.complete is False
    assert stream.produced <= 3


async def test_an_answer_within_the_cap_is_whole() -> None:
    async with client(lambda request: httpx.Response(200, json={"ok": True})) as http:
        response = await call(http, cap=100)
    assert response.complete is True
    assert response.json() == {"ok": True}


@pytest.mark.parametrize(
    ("exc", "code", "maybe_applied"),
    [
        (httpx.ConnectError("refused"), UpdateErrorCode.UPSTREAM_UNAVAILABLE, False),
        (httpx.ConnectTimeout("slow"), UpdateErrorCode.TIMEOUT, False),
        (httpx.ReadTimeout("slow"), UpdateErrorCode.TIMEOUT, True),
        (httpx.RemoteProtocolError("dropped"), UpdateErrorCode.UPSTREAM_UNAVAILABLE, True),
    ],
)
async def test_a_transport_failure_says_whether_the_request_may_have_landed(
    exc: Exception, code: UpdateErrorCode, maybe_applied: bool
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    async with client(fail) as http:
        with pytest.raises(ProviderError) as caught:
            await call(http)
    assert caught.value.code is code
    assert caught.value.may_have_been_applied is maybe_applied
    assert str(exc) not in caught.value.message


class ImportLookups(importlib.abc.MetaPathFinder):
    """Records every module the import system is asked to find (modules already imported
    are never looked up again; a failed import is looked up each time)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        self.names.append(fullname)
        return None


async def test_calls_over_the_network_import_nothing_each_time() -> None:
    # httpcore asks sniffio for the async library on every lock: without sniffio that is a
    # failed import per call (encode/httpcore#1103).
    def answer(received: Received) -> tuple[int, str, bytes]:
        return 200, "application/json", b"{}"

    with stub_server(answer) as server:
        async with httpx.AsyncClient() as http:

            async def call_stub() -> UpstreamResponse:
                return await exchange(
                    http,
                    "P",
                    "GET",
                    f"{server.origin}/x",
                    json=None,
                    params={},
                    headers={},
                    deadline_seconds=5.0,
                    max_response_bytes=1_000,
                )

            await call_stub()  # the first call imports what calls need
            lookups = ImportLookups()
            sys.meta_path.insert(0, lookups)
            try:
                for _ in range(3):
                    assert (await call_stub()).status == 200
            finally:
                sys.meta_path.remove(lookups)
    assert lookups.names == []
