"""Node packages that tests need, installed with `npm ci` on first run (CI installs them
first); a missing tool fails the test that needs it, never skips it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NPM_CI_TIMEOUT_SECONDS = 300.0


def require_tool(name: str, needed_for: str) -> str:
    """The path of `name`, failing the test when it is not on PATH."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not on PATH: {needed_for} need Node 20+ and npm", pytrace=False)
    return path


def npm_ci(directory: Path, needed_for: str) -> None:
    """Install `directory`'s locked packages with `npm ci`, failing the test if it fails."""
    npm = require_tool("npm", needed_for)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=NPM_CI_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"npm ci in {directory} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
