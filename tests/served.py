"""A real `inboxgraph serve` process, and small HTTP servers standing in for its peers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.ports import free_port


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


#: How a stub answers one request: status, content type and body.
Answer = Callable[[Received], tuple[int, str, bytes]]


class StubServer(ThreadingHTTPServer):
    """Answers every request with `answer`, keeping what it received."""

    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.received: list[Received] = []
        self.got_one = threading.Event()
        super().__init__(("127.0.0.1", 0), _StubHandler)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _StubHandler(BaseHTTPRequestHandler):
    server: StubServer

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        received = Received(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            self.rfile.read(length),
        )
        self.server.received.append(received)
        self.server.got_one.set()
        status, content_type, body = self.server.answer(received)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def stub_server(answer: Answer) -> Iterator[StubServer]:
    """A stub HTTP server on a free loopback port, for as long as the block runs."""
    server = StubServer(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_until_up(
    url: str,
    process: subprocess.Popen[bytes],
    timeout: float = 20.0,
    log: Callable[[], str] = str,
) -> None:
    """Wait until `url` answers 200, failing (with what `log` returns then) when `process`
    exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}\n{log()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout} s\n{log()}")


@contextmanager
def serve_process(
    env: Mapping[str, str], stderr: Path, command: str = "serve", ready_path: str = "/healthz"
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`inboxgraph serve` (or another serving `command`, up once `ready_path` answers) on a
    free port with `env`, its log in `stderr`; yields its origin and process, and kills it
    if the block left it running."""
    port = free_port()
    with stderr.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "inboxgraph.cli", command, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={"PATH": "/usr/bin:/bin", **env},
            # Its worker processes share its process group, so none outlives the block.
            start_new_session=True,
        )
        try:
            origin = f"http://127.0.0.1:{port}"
            wait_until_up(f"{origin}{ready_path}", process)
            yield origin, process
        finally:
            stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM `process` (started with `start_new_session`) and wait for it; then SIGKILL
    whatever is left of its process group (its workers, had it died first)."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)
