"""Load and what it costs, for benchmarks/http.py: wrk runs, and a process tree's CPU time
and resident memory read from /proc."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk_post.lua")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SUMMARY_PREFIX = "WRK_SUMMARY "
#: How long wrk waits for one answer before counting a timeout.
WRK_TIMEOUT = "10s"


class LoadFailed(Exception):
    """wrk could not run, or a contender answered something other than the update."""


@dataclass(frozen=True)
class Load:
    """One wrk run: answers counted, how long it ran, and what went wrong."""

    requests: int
    seconds: float
    #: Answers that were not HTTP 200 with a ConversationUpdated.
    wrong: int
    #: Connections refused, reads and writes failed, answers timed out.
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def find_wrk() -> str | None:
    return shutil.which("wrk")


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A `preexec_fn` that keeps a child (and its own children) on `cpus`."""
    if cpus is None:
        return None
    chosen = set(cpus)
    return lambda: os.sched_setaffinity(0, chosen)


def run_wrk(
    url: str,
    body_file: Path,
    *,
    seconds: int,
    connections: int,
    cpus: set[int] | None,
) -> Load:
    """POST `body_file` to `url` from `connections` connections for `seconds`, with one
    wrk thread on `cpus`."""
    wrk = find_wrk()
    if wrk is None:
        raise LoadFailed("wrk is not on PATH")
    env = {**os.environ, "WRK_BODY_FILE": str(body_file)}
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", WRK_TIMEOUT]
    argv += ["-s", str(WRK_SCRIPT), url]
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, preexec_fn=pinned(cpus), check=False
    )
    summary = next(
        (line for line in done.stdout.splitlines() if line.startswith(SUMMARY_PREFIX)), None
    )
    if done.returncode != 0 or summary is None:
        raise LoadFailed(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    counts = json.loads(summary.removeprefix(SUMMARY_PREFIX))
    return Load(
        requests=counts["requests"],
        seconds=counts["duration_us"] / 1e6,
        wrong=counts["wrong"],
        errors=counts["errors"],
    )


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it that still runs."""
    tree = [pid]
    for member in tree:
        for task in _listing(Path(f"/proc/{member}/task")):
            children = _read(Path(f"/proc/{member}/task/{task}/children"))
            tree += [int(child) for child in children.split()]
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """User plus system CPU time the processes used so far."""
    ticks = 0
    for pid in pids:
        stat = _read(Path(f"/proc/{pid}/stat"))
        if stat:
            # Fields after the command name (which may hold spaces): utime is 14th, stime 15th.
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def rss_bytes(pids: Iterable[int]) -> int:
    """The processes' resident memory (VmRSS), summed."""
    total = 0
    for pid in pids:
        for line in _read(Path(f"/proc/{pid}/status")).splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process has just exited
        return ""


def _listing(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
