"""The benchmark scripts keep running (their numbers are read by people, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
