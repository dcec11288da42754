"""Run ariadne-codegen from its own environment (it needs graphql-core < 3.3, inboxgraph
pins 3.3), made once from requirements.txt in tests/codegen/.venv."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

CODEGEN_DIR = Path(__file__).resolve().parent
REPO_ROOT = CODEGEN_DIR.parents[1]
SCHEMA_PATH = REPO_ROOT / "graphql" / "schema.graphql"
OPERATIONS_DIR = REPO_ROOT / "graphql" / "operations"
CONFIG_PATH = CODEGEN_DIR / "ariadne-codegen.toml"
REQUIREMENTS_PATH = CODEGEN_DIR / "requirements.txt"
TOOL_ENV = CODEGEN_DIR / ".venv"
#: A copy of requirements.txt as last installed into TOOL_ENV.
INSTALLED_PATH = TOOL_ENV / "installed-requirements.txt"
INSTALL_TIMEOUT_SECONDS = 300.0
CODEGEN_TIMEOUT_SECONDS = 60.0


def run(argv: list[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def ensure_tool_env() -> Path:
    """The ariadne-codegen executable, installing its environment first when it is
    missing or was made from other requirements."""
    executable = TOOL_ENV / "bin" / "ariadne-codegen"
    requirements = REQUIREMENTS_PATH.read_text()
    installed = INSTALLED_PATH.read_text() if INSTALLED_PATH.exists() else None
    if executable.exists() and installed == requirements:
        return executable
    shutil.rmtree(TOOL_ENV, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", "--without-pip", str(TOOL_ENV)],
        # This interpreter's pip installs into the new environment (no pip of its own).
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(TOOL_ENV / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--requirement",
            str(REQUIREMENTS_PATH),
        ],
    ]
    for argv in steps:
        done = run(argv, cwd=CODEGEN_DIR, timeout=INSTALL_TIMEOUT_SECONDS)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(argv[:4])} failed:\n{done.stdout}\n{done.stderr}")
    INSTALLED_PATH.write_text(requirements)
    return executable


def toml_value(value: str | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)


def toml_text(settings: dict[str, Any]) -> str:
    """`[tool.ariadne-codegen]` as TOML: plain values, then tables of tables (scalars)."""
    lines = ["[tool.ariadne-codegen]"]
    tables = {k: v for k, v in settings.items() if isinstance(v, dict)}
    lines += [f"{k} = {toml_value(v)}" for k, v in settings.items() if k not in tables]
    for name, table in tables.items():
        for entry, values in table.items():
            lines.append(f"[tool.ariadne-codegen.{name}.{entry}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def generate(
    out_dir: Path, *, queries_path: Path = OPERATIONS_DIR
) -> subprocess.CompletedProcess[str]:
    """Generate the client package described by ariadne-codegen.toml into `out_dir`,
    from the printed SDL and the operations in `queries_path`."""
    settings: dict[str, Any] = tomllib.loads(CONFIG_PATH.read_text())["tool"]["ariadne-codegen"]
    settings |= {
        "schema_path": str(SCHEMA_PATH),
        "queries_path": str(queries_path),
        "target_package_path": str(out_dir),
    }
    config = out_dir / "ariadne-codegen.toml"
    config.write_text(toml_text(settings))
    return run(
        [str(ensure_tool_env()), "--config", str(config)],
        cwd=out_dir,
        timeout=CODEGEN_TIMEOUT_SECONDS,
    )
