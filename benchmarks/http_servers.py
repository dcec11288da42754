"""The servers benchmarks/http.py measures, and the upstream they all call: started in
their own sessions, pinned to chosen CPUs, checked to answer the update, and stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from http_load import pinned

BENCHMARKS = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS.parent
OPERATION = REPO_ROOT / "graphql" / "operations" / "puffle-archive.graphql"
UPSTREAM_SCRIPT = BENCHMARKS / "puffle_upstream.py"
STRAWBERRY_DIR = BENCHMARKS / "baselines" / "strawberry"
STRAWBERRY_ENV = STRAWBERRY_DIR / ".venv"
YOGA_DIR = BENCHMARKS / "baselines" / "yoga"
PUFFLE_TOKEN = "sandbox-puffle-token"
#: What every contender must answer (updatedAt aside, which only has to be a string).
EXPECTED_CONVERSATION = {
    "id": "f11e8a2c-1234-4567-89ab-cdef01234567",
    "status": "ARCHIVED",
    "unreadCount": 0,
    "channel": "linkedin",
    "participantName": "Jane Doe",
}
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
INSTALL_TIMEOUT_SECONDS = 300.0
#: The upstream's counts are read again after this long, until they stop changing.
SETTLE_SECONDS = 0.1


#: Variables of this environment no server gets: each is configured here alone.
NOT_INHERITED = ("INBOXGRAPH_", "PROMETHEUS_MULTIPROC_DIR")


class ServerFailed(Exception):
    """A server did not start, did not answer the update as expected, or died."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request_body() -> bytes:
    """The benchmark's GraphQL request: the README's Puffle example, as JSON."""
    return json.dumps({"query": OPERATION.read_text()}).encode()


def inherited_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}


@dataclass
class Server:
    """A process serving HTTP on `port`, in its own session so it stops with its children."""

    name: str
    argv: list[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cpus: set[int] | None = None
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            env={**inherited_env(), **self.env},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=pinned(self.cpus),
        )

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise ServerFailed(f"{self.name} is not running:\n{self.log_tail()}")

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self.ensure_running()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise ServerFailed(f"{self.name} did not listen within {START_TIMEOUT_SECONDS:g} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log is not None:
            self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Contender(Server):
    """A GraphQL server proxying the update: `path` is its GraphQL endpoint."""

    path: str = "/graphql"

    @property
    def endpoint(self) -> str:
        return self.url + self.path

    def check_answer(self, body: bytes) -> None:
        """Send the update once; fail unless the answer is the expected ConversationUpdated."""
        request = urllib.request.Request(
            self.endpoint, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                result: Any = json.load(answer)
        except (urllib.error.URLError, ValueError) as error:
            raise ServerFailed(f"{self.name} did not answer the update: {error}") from None
        try:
            update = result["data"]["updateConversation"]
            conversation = update["conversation"]
            shape_ok = (
                update["__typename"] == "ConversationUpdated"
                and update["provider"] == "PUFFLE"
                and isinstance(conversation.pop("updatedAt"), str)
                and conversation == EXPECTED_CONVERSATION
            )
        except (KeyError, TypeError):
            shape_ok = False
        if not shape_ok:
            raise ServerFailed(f"{self.name} answered {json.dumps(result)}")


class Upstream(Server):
    """The Puffle upstream every contender calls (benchmarks/puffle_upstream.py)."""

    def calls(self) -> tuple[int, int]:
        """Calls answered and refused so far, once calls still on their way have arrived
        (a server may go on with requests its client stopped waiting for)."""
        counts = self._counts()
        while (latest := self._counts()) != counts:
            counts = latest
        return counts

    def _counts(self) -> tuple[int, int]:
        time.sleep(SETTLE_SECONDS)
        with urllib.request.urlopen(self.url + "/calls", timeout=10) as answer:
            counts: dict[str, int] = json.load(answer)
        return counts["answered"], counts["refused"]


def upstream(work_dir: Path, cpus: set[int] | None) -> Upstream:
    port = free_port()
    return Upstream(
        "upstream",
        [sys.executable, "-P", str(UPSTREAM_SCRIPT), "--port", str(port)],
        port,
        work_dir / "upstream.log",
        cpus=cpus,
    )


def inboxgraph(
    name: str,
    work_dir: Path,
    upstream_url: str,
    *,
    workers: int,
    cpus: set[int] | None,
    extra_env: dict[str, str],
) -> Contender:
    """`inboxgraph serve` with Puffle live at `upstream_url` (the other providers
    sandboxed), configured by `extra_env` alone besides."""
    port = free_port()
    executable = Path(sys.executable).with_name("inboxgraph")
    env = {
        "INBOXGRAPH_PUFFLE_TOKEN": PUFFLE_TOKEN,
        "INBOXGRAPH_PUFFLE_BASE_URL": upstream_url,
        **extra_env,
    }
    argv = [str(executable), "serve", "--port", str(port), "--workers", str(workers)]
    log_path = work_dir / f"{name.replace(' ', '-')}.log"
    return Contender(name, argv, port, log_path, env=env, cpus=cpus)


def strawberry(
    name: str, work_dir: Path, upstream_url: str, *, python: Path, cpus: set[int] | None
) -> Contender:
    port = free_port()
    argv = [str(python), "-P", str(STRAWBERRY_DIR / "proxy.py"), "--port", str(port)]
    argv += ["--upstream", upstream_url, "--token", PUFFLE_TOKEN]
    log_path = work_dir / f"{name.replace(' ', '-')}.log"
    return Contender(name, argv, port, log_path, cpus=cpus)


def yoga(work_dir: Path, upstream_url: str, *, cpus: set[int] | None) -> Contender:
    port = free_port()
    argv = ["node", str(YOGA_DIR / "server.mjs"), "--port", str(port)]
    argv += ["--upstream", upstream_url, "--token", PUFFLE_TOKEN]
    return Contender("Yoga proxy", argv, port, work_dir / "yoga.log", cpus=cpus)


def ensure_strawberry_env() -> Path:
    """The Python of the Strawberry baseline's own environment (what `pip install
    'strawberry-graphql[asgi]' uvicorn httpx` gives, pinned by requirements.txt), made when
    missing or made from other requirements."""
    python = STRAWBERRY_ENV / "bin" / "python"
    requirements = (STRAWBERRY_DIR / "requirements.txt").read_text()
    installed_path = STRAWBERRY_ENV / "installed-requirements.txt"
    installed = installed_path.read_text() if installed_path.exists() else None
    if python.exists() and installed == requirements:
        return python
    sys.stderr.write(f"making the Strawberry baseline's environment in {STRAWBERRY_ENV}\n")
    steps = [
        [sys.executable, "-m", "venv", "--clear", "--without-pip", str(STRAWBERRY_ENV)],
        # This interpreter's pip installs into the new environment (no pip of its own).
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--requirement", str(STRAWBERRY_DIR / "requirements.txt")),
        ],
    ]
    for argv in steps:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            raise ServerFailed(f"{' '.join(argv[:4])} failed:\n{done.stdout}{done.stderr}")
    installed_path.write_text(requirements)
    return python
