"""The benchmark scripts keep running (their numbers are read by people, never asserted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import npm_packages

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "arguments"),
    [
        ("batching.py", ["--updates", "3", "--latency-ms", "0", "--repeat", "1"]),
        ("entities.py", ["--latency-ms", "0", "--repeat", "1"]),
        ("caches.py", ["--requests", "5", "--repeat", "1"]),
        ("bulk.py", ["--sizes", "3,12", "--latency-ms", "1", "--repeat", "1"]),
        # Starts its own redis-server, upstream, API process and workers.
        ("jobs.py", ["--items", "200", "--latency-ms", "1"]),
    ],
)
def test_benchmark_prints_its_table(script: str, arguments: list[str]) -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    table = [line for line in finished.stdout.splitlines() if line.startswith("|")]
    assert len(table) >= 4, finished.stdout
    assert "x |" in table[-1]


YOGA_BASELINE = BENCHMARKS / "baselines" / "yoga"
#: A second of load per server, a few hundred requests for the memory reading.
HTTP_TINY = ["--duration", "1", "--repeat", "1", "--warmup", "1", "--rss-requests", "200"]


def test_http_benchmark_prints_every_ratio() -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed: apt-get install wrk (.ci/run installs it)")
    if not (YOGA_BASELINE / "node_modules" / "graphql-yoga").is_dir():
        npm_packages.npm_ci(YOGA_BASELINE, "the HTTP benchmark's Yoga baseline")
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / "http.py"), *HTTP_TINY, "--connections", "4"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stderr
    rows = [line for line in finished.stdout.splitlines() if line.startswith("| (")]
    assert [row[2:5] for row in rows] == ["(a)"] * 4 + ["(b)", "(c)", "(d)"], finished.stdout
    for row in rows:
        ratio = row.split(" | ")[3]
        assert ratio.endswith("x") and float(ratio[:-1]) > 0, row


def test_http_benchmark_says_how_to_install_wrk(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / "http.py")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PATH": str(tmp_path)},
    )
    assert finished.returncode == 2
    assert finished.stderr == (
        "benchmarks/http.py: wrk is not on PATH: install it (Debian/Ubuntu: apt-get install wrk)\n"
    )


def test_http_benchmark_says_how_to_install_the_yoga_baseline(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed: apt-get install wrk (.ci/run installs it)")
    finished = subprocess.run(
        [sys.executable, str(BENCHMARKS / "http.py"), "--yoga-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 2
    assert finished.stderr == (
        f"benchmarks/http.py: the Yoga baseline's packages are missing: (cd {tmp_path} && npm ci)\n"
    )
