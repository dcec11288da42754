"""Run `inboxgraph serve` on a loopback port and the Node script that drives GraphiQL in
Debian's Chromium against it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import npm_packages
from tests.ports import free_port, sandbox_environment
from tests.served import wait_until_up

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


@contextmanager
def served(log: Path, **settings: str) -> Iterator[str]:
    """`inboxgraph serve` on a free loopback port with only `settings` (INBOXGRAPH_*) set;
    yields its origin, and stops it on exit."""
    env = {**sandbox_environment(), **settings}
    port = free_port()
    command = [sys.executable, "-m", "inboxgraph.cli", "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
        )
    origin = f"http://{HOST}:{port}"
    try:
        wait_until_up(f"{origin}/healthz", process, STARTUP_TIMEOUT_SECONDS, log.read_text)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
