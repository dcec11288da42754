"""A real `inboxgraph serve` on a free loopback port, every provider in the sandbox."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_port, sandbox_environment
from tests.served import wait_until_up

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Served:
    """A running server: its GraphQL endpoint and the file its stderr goes to."""

    url: str
    stderr_path: Path
    process: subprocess.Popen[bytes]

    def stderr(self, since: int = 0) -> str:
        """What the server wrote to stderr, from offset `since` (a `stderr_size()`)."""
        with self.stderr_path.open("rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", errors="replace")

    def stderr_size(self) -> int:
        return self.stderr_path.stat().st_size

    def assert_no_traceback(self, since: int = 0) -> None:
        """Fail when the server logged a traceback (after offset `since`) or has exited."""
        log = self.stderr(since)
        assert "Traceback" not in log, f"the server logged a traceback:\n{_around_traceback(log)}"
        assert self.process.poll() is None, f"the server exited:\n{log[-4000:]}"


@contextmanager
def serve(log_dir: Path) -> Iterator[Served]:
    """Run `inboxgraph serve` until the block ends; its stderr is kept in `log_dir`."""
    port = free_port()
    stderr_path = log_dir / "inboxgraph-serve.stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "inboxgraph.cli", "serve", "--host", HOST, "--port", str(port)],
            env=sandbox_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    served = Served(f"http://{HOST}:{port}/graphql", stderr_path, process)
    try:
        wait_until_up(
            f"http://{HOST}:{port}/healthz", process, STARTUP_TIMEOUT_SECONDS, served.stderr
        )
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _around_traceback(log: str, lines: int = 60) -> str:
    """The log from its first traceback on (a few lines before it for context)."""
    all_lines = log.splitlines()
    first = next(i for i, line in enumerate(all_lines) if "Traceback" in line)
    return "\n".join(all_lines[max(0, first - 3) : first + lines])
