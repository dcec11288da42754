"""The `inboxgraph` command as a new user runs it: a real server on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inboxgraph.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin"},
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_a_mutation_with_no_configuration(served: str) -> None:
    response = httpx.post(
        f"{served}/graphql",
        json={
            "query": """mutation { updateConversation(input: {ebay: {
                conversationId: "1000000000002", conversationType: FROM_EBAY, read: true}}) {
                __typename ... on UpdateFailed { code message } } }"""
        },
        timeout=10.0,
    )
    assert response.json()["data"]["updateConversation"]["__typename"] == "ConversationUpdated"


def test_serve_offers_graphiql_to_a_browser(served: str) -> None:
    response = httpx.get(f"{served}/graphql", headers={"Accept": "text/html"}, timeout=10.0)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_sandbox_command_serves_the_emulators() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "inboxgraph.cli", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", process)
        index = httpx.get(f"http://127.0.0.1:{port}/", timeout=5.0).json()["emulators"]
        puffle = index["PUFFLE"]
        listing = httpx.get(
            f"http://127.0.0.1:{port}{puffle['base_url_path']}/api/conversations",
            headers={"Authorization": f"Bearer {puffle['token']}"},
            timeout=5.0,
        )
        assert listing.json()["total"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bad_configuration_exits_with_a_clear_message() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "inboxgraph.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "INBOXGRAPH_SANDBOX": "sometimes"},
        timeout=30,
    )
    assert finished.returncode == 2
    assert "INBOXGRAPH_SANDBOX" in finished.stderr


def test_worker_without_redis_says_what_it_needs() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "inboxgraph.cli", "worker"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert finished.returncode == 2
    assert "INBOXGRAPH_REDIS_URL" in finished.stderr


def test_the_worker_runs_without_graphql() -> None:
    # What `inboxgraph worker` imports needs neither Strawberry nor graphql-core.
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, inboxgraph.cli, inboxgraph.jobs.worker; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'strawberry', 'graphql'}))",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert finished.stdout.strip() == "[]"
