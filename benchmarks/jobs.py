"""A bulk job of n updates run by one, then two, `inboxgraph worker` processes, against
ceil(n / (workers x concurrency)) x latency.

Each piece runs in a process of its own, as in production: a redis-server on a free port; the
upstream, Puffle's emulator seeded with n conversations behind the sandbox's faults
middleware with a fixed latency (`benchmarks/_upstream.py`); `inboxgraph serve` with
INBOXGRAPH_REDIS_URL and Puffle live at that upstream; and the workers. For each number
of workers, the script starts them, sends `startBulkUpdate` with the n inputs as
variables, polls `bulkJob` until FINISHED and checks that every item succeeded and that
the upstream answered exactly one update call per conversation.

- "seconds" is the job's own `finishedAt - createdAt`: from its creation (the queueing
  included: a worker looks at the queue every 0.5 s) to its last result.
- Concurrency is what one worker keeps in flight: the provider's concurrent calls per
  process (8) times the updates one call carries (Puffle, which has no batch form: 1).
  The job's parts (about 100 items each) spread over the workers, each running up to
  10 parts at once (`--max-jobs`), all sharing its 8 slots.
- "worker CPU s" is the CPU time the workers spent, together (Linux's /proc), and
  "upstream CPU s" the upstream's: with the API process and Redis, they share the
  machine's cores.
- Puffle because its documentation states no rate limit: a provider with one (Ayrshare's
  300 per 5 minutes) sets the pace whatever the workers, and eBay's read after each
  update batch scans its conversation listing (see README, Benchmarks).

    .venv/bin/python benchmarks/jobs.py [--items 10000] [--latency-ms 50] [--workers 1,2]
        [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import redis
from _redis import free_port, redis_server
from bulk import puffle_ids

from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.sandbox import puffle

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
START = """mutation Start($inputs: [UpdateConversationInput!]!) {
  startBulkUpdate(inputs: $inputs) { id total } }"""
JOB = """query Job($id: ID!) {
  bulkJob(id: $id) { state total succeeded failed createdAt finishedAt } }"""
START_TIMEOUT = 30.0


class Process:
    """A child process whose output goes to a log file; stopped with SIGTERM on the way out."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                argv,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def wait_until(self, ready: Any, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
                raise SystemExit(f"{self.name} never {what}:\n{tail}")
            time.sleep(0.05)

    def wait_for_log(self, text: str) -> None:
        self.wait_until(lambda: text in self.log.read_text(errors="replace"), f"logged {text!r}")

    def wait_for_http(self, url: str) -> None:
        def answers() -> bool:
            try:
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        self.wait_until(answers, f"answered {url}")

    def cpu_seconds(self) -> float:
        """User and system CPU time so far (0 where /proc is not there)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def inboxgraph(command: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "inboxgraph.cli", command, *args]


def run_job(
    workers: int, items: int, redis_url: str, upstream_url: str, logs: Path
) -> dict[str, Any]:
    """Start serve and `workers` workers, run one job of `items` updates, stop them; the
    job as it finished and the upstream's count of calls."""
    redis.Redis.from_url(redis_url).flushall()
    httpx.delete(f"{upstream_url}/calls")
    env = {
        "INBOXGRAPH_REDIS_URL": redis_url,
        "INBOXGRAPH_PUFFLE_TOKEN": puffle.SANDBOX_TOKEN,
        "INBOXGRAPH_PUFFLE_BASE_URL": f"{upstream_url}/puffle",
    }
    port = free_port()
    with ExitStack() as stack:
        started: list[Process] = []
        for n in range(workers):
            name = f"{workers}-worker-{n + 1}"
            started.append(worker := Process(name, inboxgraph("worker"), env, logs))
            stack.callback(worker.stop)
            worker.wait_for_log("Starting worker")
        api_env = {**env, "INBOXGRAPH_LOG_LEVEL": "warning"}
        api = Process(f"{workers}-api", inboxgraph("serve", "--port", str(port)), api_env, logs)
        stack.callback(api.stop)
        api.wait_for_http(f"http://{HOST}:{port}/healthz")
        idle = sum(worker.cpu_seconds() for worker in started)
        job = asyncio.run(one_job(f"http://{HOST}:{port}/graphql", items))
        job["cpu"] = sum(worker.cpu_seconds() for worker in started) - idle
    job["calls"] = httpx.get(f"{upstream_url}/calls").json()
    return job


async def one_job(url: str, items: int) -> dict[str, Any]:
    inputs = [{"puffle": {"id": i, "status": "ARCHIVED"}} for i in puffle_ids(items)]
    async with httpx.AsyncClient(timeout=60) as client:

        async def graphql(query: str, variables: dict[str, Any]) -> Any:
            response = await client.post(url, json={"query": query, "variables": variables})
            body = response.json()
            if response.status_code != 200 or "errors" in body:
                raise SystemExit(f"{url} answered {response.status_code}: {body}")
            return body["data"]

        started = await graphql(START, {"inputs": inputs})
        job_id = started["startBulkUpdate"]["id"]
        while True:
            job: dict[str, Any] = (await graphql(JOB, {"id": job_id}))["bulkJob"]
            if job["state"] in {"FINISHED", "CANCELLED"}:
                return job
            await asyncio.sleep(0.25)


def seconds(job: dict[str, Any]) -> float:
    created, finished = (datetime.fromisoformat(job[k]) for k in ("createdAt", "finishedAt"))
    return (finished - created).total_seconds()


HEADER = (
    "workers",
    "items",
    "update calls",
    "most per conversation",
    "seconds",
    "items/s",
    "worker CPU s",
    "upstream CPU s",
    "ideal s",
    "seconds / ideal",
    "speed-up over one worker",
)


def start_upstream(port: int, items: int, latency_ms: float, logs: Path) -> Process:
    script = [sys.executable, str(HERE / "_upstream.py"), "--port", str(port)]
    options = ["--conversations", str(items), "--latency-ms", str(latency_ms)]
    upstream = Process("upstream", [*script, *options], {"PYTHONPATH": str(HERE)}, logs)
    upstream.wait_for_http(f"http://{HOST}:{port}/calls")
    return upstream


def checked(job: dict[str, Any], items: int) -> dict[str, Any]:
    """The job, once it is known that every item succeeded and was sent exactly once."""
    calls = job["calls"]
    once = calls["updates"] == calls["conversations"] == items
    if (job["state"], job["succeeded"]) != ("FINISHED", items) or not once or calls["failed"]:
        raise SystemExit(f"not every item succeeded, sent exactly once: {job}")
    return job


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--items", type=int, default=10_000, help="updates in the job")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median kept)")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    concurrency = PuffleAdapter.max_concurrency * max(PuffleAdapter.max_batch_size, 1)
    print(
        f"startBulkUpdate of {args.items} Puffle updates, {args.latency_ms:g} ms injected "
        f"upstream latency, each worker {PuffleAdapter.max_concurrency} x 1 in flight, "
        f"median of {args.repeat} run(s)\n"
    )
    rows: list[tuple[str, ...]] = []
    first: float | None = None
    with tempfile.TemporaryDirectory() as folder, redis_server() as redis_url:
        logs, port = Path(folder), free_port()
        upstream = start_upstream(port, args.items, args.latency_ms, logs)
        try:
            for workers in (int(w) for w in args.workers.split(",")):
                jobs = [
                    checked(
                        run_job(workers, args.items, redis_url, f"http://{HOST}:{port}", logs),
                        args.items,
                    )
                    for _ in range(args.repeat)
                ]
                took = statistics.median(seconds(job) for job in jobs)
                cpu = statistics.median(job["cpu"] for job in jobs)
                upstream_cpu = statistics.median(job["calls"]["cpu_seconds"] for job in jobs)
                job = jobs[0]
                first = first or took
                ideal = math.ceil(args.items / (workers * concurrency)) * latency
                rows.append(
                    (
                        str(workers),
                        str(args.items),
                        str(job["calls"]["updates"]),
                        str(job["calls"]["most_per_conversation"]),
                        f"{took:.2f}",
                        f"{args.items / took:.0f}",
                        f"{cpu:.1f}",
                        f"{upstream_cpu:.1f}",
                        f"{ideal:.2f}",
                        f"{took / ideal:.2f}x",
                        f"{first / took:.2f}x",
                    )
                )
        finally:
            upstream.stop()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---:"] * len(HEADER)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
