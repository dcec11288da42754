"""`inboxgraph sandbox` over real HTTP honours INBOXGRAPH_SANDBOX_FAULTS_<P>: each fault as
a client on the network sees it, and inboxgraph's typed result for it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inboxgraph.sandbox import ebay, highlevel, puffle, vcita
from inboxgraph.sandbox.faults import MALFORMED_BODY
from inboxgraph.upstreams import connect_upstreams
from tests.served import serve_process
from tests.support import client_for, live_settings, update_many

FAULTS = {
    "INBOXGRAPH_SANDBOX_FAULTS_PUFFLE": "burst_429=1,retry_after=2",
    "INBOXGRAPH_SANDBOX_FAULTS_EBAY": "drop_rate=1",
    "INBOXGRAPH_SANDBOX_FAULTS_VCITA": "malformed_rate=1",
    "INBOXGRAPH_SANDBOX_FAULTS_AYRSHARE": "latency=200ms,error_rate=1,error_status=502",
    "INBOXGRAPH_SANDBOX_FAULTS_HIGHLEVEL": "timeout_rate=1",
    "INBOXGRAPH_SANDBOX_FAULTS_SEED": "3",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real `inboxgraph sandbox` process with a fault per provider; its URL and log."""
    log = tmp_path_factory.mktemp("sandbox") / "stderr.log"
    with serve_process(FAULTS, log, command="sandbox", ready_path="/") as (origin, _):
        yield origin, log


def test_a_429_burst_carries_retry_after(sandbox: tuple[str, Path]) -> None:
    url, _ = sandbox
    path = f"{url}/puffle/api/conversations/f11e8a2c-1234-4567-89ab-cdef01234567"
    headers = {"Authorization": f"Bearer {puffle.SANDBOX_TOKEN}"}
    first = httpx.patch(path, json={"unread_count": 0}, headers=headers, timeout=5.0)
    second = httpx.patch(path, json={"unread_count": 0}, headers=headers, timeout=5.0)
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    assert second.status_code == 200


def test_a_dropped_connection_closes_the_socket_mid_answer(sandbox: tuple[str, Path]) -> None:
    url, log = sandbox
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{url}/ebay/commerce/message/v1/bulk_update_conversation",
            json={"conversations": []},
            headers={"Authorization": f"Bearer {ebay.SANDBOX_TOKEN}"},
            timeout=5.0,
        )
    time.sleep(0.2)
    text = log.read_text()
    assert "injected drop" in text
    assert "Traceback" not in text


def test_a_malformed_body_keeps_its_status(sandbox: tuple[str, Path]) -> None:
    url, _ = sandbox
    response = httpx.put(
        f"{url}/vcita/v2/conversations/89m2pnabgozdvd9f",
        json={"archived": True},
        headers={"Authorization": f"Bearer {vcita.SANDBOX_TOKEN}"},
        timeout=5.0,
    )
    assert (response.status_code, response.content) == (200, MALFORMED_BODY)


def test_latency_and_server_errors(sandbox: tuple[str, Path]) -> None:
    url, _ = sandbox
    started = time.monotonic()
    response = httpx.get(f"{url}/ayrshare/api/messages/instagram", timeout=5.0)
    assert response.status_code == 502
    assert time.monotonic() - started >= 0.2


def test_a_timeout_holds_until_the_caller_gives_up(sandbox: tuple[str, Path]) -> None:
    url, _ = sandbox
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{url}/highlevel/conversations/ABC12h2F6uBrIkfXYazb",
            headers={"Authorization": f"Bearer {highlevel.SANDBOX_TOKEN}"},
            timeout=0.3,
        )
    # The server is still serving.
    assert httpx.get(f"{url}/", timeout=5.0).status_code == 200


async def test_inboxgraph_in_live_mode_reports_the_faults_typed(sandbox: tuple[str, Path]) -> None:
    url, _ = sandbox
    settings = live_settings(
        INBOXGRAPH_EBAY_BASE_URL=f"{url}/ebay/commerce/message/v1",
        INBOXGRAPH_EBAY_TOKEN=ebay.SANDBOX_TOKEN,
        INBOXGRAPH_VCITA_BASE_URL=f"{url}/vcita",
        INBOXGRAPH_VCITA_TOKEN=vcita.SANDBOX_TOKEN,
        INBOXGRAPH_RETRY_BASE_SECONDS="0",
    )
    upstreams = connect_upstreams(settings)
    async with client_for(upstreams) as client:
        dropped, garbled = await update_many(
            client,
            [
                {
                    "ebay": {
                        "conversationId": "1000000000001",
                        "conversationType": "FROM_MEMBERS",
                        "read": True,
                    }
                },
                {"vcita": {"uid": "89m2pnabgozdvd9f", "spam": True}},
            ],
        )
    await upstreams.aclose()  # its network connections, over real HTTP
    assert (dropped["code"], dropped["mayHaveBeenApplied"], dropped["retryable"]) == (
        "UPSTREAM_UNAVAILABLE",
        True,
        True,
    )
    assert dropped["message"].endswith("(after 3 attempts)")
    assert (garbled["code"], garbled["mayHaveBeenApplied"]) == ("UNCONFIRMED", True)
