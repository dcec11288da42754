"""The `inboxgraph` command as a new user runs it: a real server on a free loopback port."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inboxgraph.cli import main, worker_app
from tests.ports import free_port
from tests.served import Received, serve_process, stub_server, wait_until_up


@pytest.fixture(scope="module")
def serving(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A served URL and its process."""
    with serve_process({}, tmp_path_factory.mktemp("serving") / "stderr") as serving:
        yield serving


@pytest.fixture(scope="module")
def served(serving: tuple[str, subprocess.Popen[bytes]]) -> str:
    return serving[0]


def test_serve_runs_on_uvloop_and_httptools(
    serving: tuple[str, subprocess.Popen[bytes]],
) -> None:
    # The extension modules the server process has loaded, from the shared objects it maps.
    mapped = Path(f"/proc/{serving[1].pid}/maps").read_text()
    assert "/uvloop/loop." in mapped
    assert "/httptools/parser/parser." in mapped


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
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "inboxgraph.cli", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
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


MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
ARCHIVE_IN_FLIGHT = (
    "mutation ArchiveInFlight { updateConversation(input: {puffle: "
    f'{{id: "{MINE}", status: ARCHIVED}}}}) {{ __typename }} }}'
)


def slow_puffle(request: Received) -> tuple[int, str, bytes]:
    """Puffle answering an update after a second."""
    time.sleep(1.0)
    conversation = {
        "id": MINE,
        "status": "archived",
        "unread_count": 0,
        "channel": "linkedin",
        "updated_at": "2026-04-22T10:00:00Z",
    }
    return 200, "application/json", json.dumps({"conversation": conversation}).encode()


def test_sigterm_lets_an_update_in_flight_finish_then_exits_0(tmp_path: Path) -> None:
    answers: list[httpx.Response] = []
    with stub_server(slow_puffle) as puffle:
        env = {
            "INBOXGRAPH_PUFFLE_TOKEN": "puffle-token",
            "INBOXGRAPH_PUFFLE_BASE_URL": puffle.origin,
        }
        with serve_process(env, tmp_path / "stderr") as (origin, process):
            caller = threading.Thread(
                target=lambda: answers.append(
                    httpx.post(f"{origin}/graphql", json={"query": ARCHIVE_IN_FLIGHT}, timeout=20)
                )
            )
            caller.start()
            assert puffle.got_one.wait(timeout=10), "the update never reached Puffle"
            process.send_signal(signal.SIGTERM)
            caller.join(timeout=20)
            exit_status = process.wait(timeout=20)
    [answer] = answers
    assert answer.json() == {"data": {"updateConversation": {"__typename": "ConversationUpdated"}}}
    assert [(r.method, r.path) for r in puffle.received] == [
        ("PATCH", f"/api/conversations/{MINE}")
    ]
    assert exit_status == 0
    lines: list[dict[str, Any]] = [
        json.loads(line) for line in (tmp_path / "stderr").read_text().splitlines()
    ]
    [request] = [line for line in lines if line["logger"] == "inboxgraph.requests"]
    assert (request["operation"], request["status"]) == ("ArchiveInFlight", 200)
    assert request["duration_ms"] >= 1000
    assert request["request_id"] == answer.headers["x-request-id"]


def test_serve_with_several_workers_sums_metrics_in_a_directory_it_cleans_up(
    tmp_path: Path,
) -> None:
    """The multiprocess directory is set before prometheus-client is imported (its mode
    is chosen then): /metrics answers from the directory, which is gone after exit."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {"INBOXGRAPH_WORKERS": "2", "TMPDIR": str(temporary)}
    with serve_process(env, tmp_path / "stderr") as (origin, process):
        created = list(temporary.glob("inboxgraph-metrics-*"))
        httpx.post(f"{origin}/graphql", json={"query": "query Counted { __typename }"}, timeout=10)
        scraped = httpx.get(f"{origin}/metrics", timeout=10).text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    [directory] = created
    assert 'inboxgraph_graphql_operations_total{operation="Counted"' in scraped
    assert "process_cpu_seconds_total" not in scraped  # multiprocess mode has none
    assert not directory.exists()


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


def test_a_worker_sets_the_gc_threshold_it_is_configured_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What each `serve --workers N` process runs as it starts (the single process does
    # the same before serving); the older generations keep their thresholds.
    monkeypatch.setenv("INBOXGRAPH_GC_THRESHOLD", "12345")
    before = gc.get_threshold()
    try:
        worker_app()
        assert gc.get_threshold() == (12345, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_the_job_worker_sets_the_gc_threshold_before_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, int, int]] = []

    class RecordingWorker:
        def run(self) -> None:
            seen.append(gc.get_threshold())

    monkeypatch.setattr(
        "inboxgraph.jobs.worker.job_worker", lambda settings, max_jobs: RecordingWorker()
    )
    monkeypatch.setenv("INBOXGRAPH_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("INBOXGRAPH_GC_THRESHOLD", "23456")
    before = gc.get_threshold()
    root = logging.getLogger()
    handlers = {handler: list(handler.filters) for handler in root.handlers}
    try:
        assert main(["worker"]) == 0
    finally:
        gc.set_threshold(*before)
        # main() sets logging up as a process does: put the test run's back.
        root.handlers[:] = list(handlers)
        for handler, filters in handlers.items():
            handler.filters[:] = filters
    assert seen == [(23456, before[1], before[2])]


def _tcp_sockets(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 TCP sockets on local `port` in `state` ("0A": listening,
    "01": established), from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    return inodes


def test_workers_each_accept_a_share_of_a_burst_of_connections(tmp_path: Path) -> None:
    # A router opening its pool opens many connections at once; with one socket shared by
    # the workers, the first to wake would take most of them and keep them.
    env = {"INBOXGRAPH_WORKERS": "2"}
    with serve_process(env, tmp_path / "stderr") as (origin, process):
        port = int(origin.rsplit(":", 1)[1])
        deadline = time.monotonic() + 20
        while len(_tcp_sockets(port, "0A")) < 2:  # each worker listens on its own socket
            assert time.monotonic() < deadline, "the workers did not both listen"
            time.sleep(0.1)
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        try:
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: inboxgraph\r\n\r\n")
            for connection in connections:
                assert connection.recv(4096).startswith(b"HTTP/1.1 200")
            accepted = _tcp_sockets(port, "01")
            shares = [len(_socket_inodes(worker) & accepted) for worker in _children(process.pid)]
        finally:
            for connection in connections:
                connection.close()
    assert sum(shares) == 16
    assert sorted(shares)[-2] > 0, shares  # (all 16 hashed to one socket: 1 in 32,768)


def test_serve_with_workers_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "-m", "inboxgraph.cli", "serve", "--port", str(port)],
            env={"PATH": "/usr/bin:/bin", "INBOXGRAPH_WORKERS": "2"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert finished.returncode == 2
    assert f"inboxgraph: cannot listen on 127.0.0.1:{port}: Address already in use\n" in (
        finished.stderr
    )
