"""Run `inboxgraph serve` on a loopback port and the Node script that drives GraphiQL in
Debian's Chromium against it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import npm_packages

BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = BROWSER_DIR / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"

STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0
SCRIPT_TIMEOUT_SECONDS = 90.0


def require_browser_tools() -> str:
    """The path of `node`, after checking Chromium and the script's packages are installed
    (running `npm ci` when they are not); failing, never skipping, when a tool is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: the browser tests need Node 20+", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium)",
            pytrace=False,
        )
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        npm_packages.npm_ci(BROWSER_DIR, "the browser tests")
    return node


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(log: Path, **settings: str) -> Iterator[str]:
    """`inboxgraph serve` on a free loopback port with only `settings` (INBOXGRAPH_*) set;
    yields its origin, and stops it on exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INBOXGRAPH_")}
    env.update(settings)
    port = _free_port()
    command = [sys.executable, "-m", "inboxgraph.cli", "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
        )
    origin = f"http://{HOST}:{port}"
    try:
        _wait_until_healthy(origin, process, log)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(origin: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"inboxgraph serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{origin}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"inboxgraph serve not healthy after {STARTUP_TIMEOUT_SECONDS}s:\n{log.read_text()}"
    )


def drive_graphiql(node: str, url: str, query: str, **options: str) -> dict[str, Any]:
    """Run playground.mjs (options are its flags without `--`, e.g. run_tab=...) and return
    its report; fail with it when a step could not run."""
    flags = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    done = subprocess.run(
        [node, "playground.mjs", f"--url={url}", f"--query={query}", *flags],
        cwd=BROWSER_DIR,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"playground.mjs exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    if done.returncode != 0:
        pytest.fail(
            f"playground.mjs could not finish: {report['error']}\n{json.dumps(report, indent=2)}"
        )
    return report
