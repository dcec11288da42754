"""What benchmarks/http.py runs (its docstring says what and how): the contenders started,
their alternating runs, and the tables of ratios."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from http_load import Load, LoadFailed, cpu_seconds, find_wrk, process_tree, rss_bytes, run_wrk
from http_servers import (
    YOGA_DIR,
    Contender,
    Server,
    ServerFailed,
    Upstream,
    ensure_strawberry_env,
    inboxgraph,
    request_body,
    strawberry,
    upstream,
    yoga,
)

PROG = "benchmarks/http.py"

INBOXGRAPH = "inboxgraph"
STRAWBERRY = "Strawberry proxy"
STRAWBERRY_SAME_ENV = "Strawberry proxy, inboxgraph's environment"
YOGA = "Yoga proxy"
ONE_WORKER = "inboxgraph --workers 1"
TWO_WORKERS = "inboxgraph --workers 2"


@dataclass(frozen=True)
class Sample:
    """One run of one contender."""

    rate: float
    cpu_per_request: float


@dataclass(frozen=True)
class Ratio:
    """`ours` against `theirs` (medians), the median of the rounds' own ratios and their range."""

    label: str
    ours: float
    theirs: float
    ratios: list[float]
    target: str
    met: Callable[[float], bool] | None
    unit_format: str = "{:.0f}"

    def row(self) -> str:
        median = statistics.median(self.ratios)
        spread = f"{min(self.ratios):.2f}x-{max(self.ratios):.2f}x"
        met = "" if self.met is None else ("yes" if self.met(median) else "no")
        ours, theirs = self.unit_format.format(self.ours), self.unit_format.format(self.theirs)
        return f"| {self.label} | {ours} | {theirs} | {median:.2f}x | {spread} | {self.target} | {met} |"


@dataclass(frozen=True)
class Cpus:
    """Where the measured servers run, and where wrk and the upstream run."""

    servers: set[int] | None
    load: set[int] | None

    @classmethod
    def split(cls) -> Cpus:
        allowed = sorted(os.sched_getaffinity(0))
        if len(allowed) < 2:
            return cls(None, None)
        return cls({allowed[0]}, set(allowed[1:]))

    def describe(self) -> str:
        if self.servers is None or self.load is None:
            return "servers, wrk and the upstream share the only CPU"
        load = ",".join(map(str, sorted(self.load)))
        return f"the measured server on CPU {min(self.servers)}, wrk and the upstream on CPU {load}"


def _parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=description.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each run")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of alternating runs")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections")
    parser.add_argument(
        "--rss-requests", type=int, default=100_000, help="requests between the RSS readings"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an INBOXGRAPH_* variable for every inboxgraph server (repeatable)",
    )
    parser.add_argument(
        "--yoga-dir", type=Path, default=YOGA_DIR, help="the Yoga baseline, with node_modules"
    )
    return parser


def missing_tool(yoga_dir: Path) -> str | None:
    """Why the benchmark cannot run here, in one line, or None."""
    if find_wrk() is None:
        return "wrk is not on PATH: install it (Debian/Ubuntu: apt-get install wrk)"
    if not (yoga_dir / "node_modules" / "graphql-yoga").is_dir():
        return f"the Yoga baseline's packages are missing: (cd {yoga_dir} && npm ci)"
    return None


def main(description: str, argv: Sequence[str] | None = None) -> int:
    args = _parser(description).parse_args(argv)
    problem = missing_tool(args.yoga_dir)
    if problem is not None:
        sys.stderr.write(f"{PROG}: {problem}\n")
        return 2
    extra_env = dict(item.partition("=")[::2] for item in args.env)
    with tempfile.TemporaryDirectory(prefix="inboxgraph-http-") as work_dir:
        try:
            print(Benchmark(args, Path(work_dir), extra_env).run())
        except (ServerFailed, LoadFailed) as error:
            sys.stderr.write(f"{PROG}: {error}\n")
            return 1
    return 0


class Benchmark:
    def __init__(self, args: argparse.Namespace, work_dir: Path, extra_env: dict[str, str]) -> None:
        self.args = args
        self.work_dir = work_dir
        self.extra_env = extra_env
        self.cpus = Cpus.split()
        self.body_file = work_dir / "body.json"
        self.body_file.write_bytes(request_body())

    def run(self) -> str:
        strawberry_python = ensure_strawberry_env()
        load_before = os.getloadavg()
        up = upstream(self.work_dir, self.cpus.load)
        started: list[Server] = [up]
        try:
            up.start()
            up.wait_listening()
            first = self._contenders(up, strawberry_python)
            started += first.values()
            samples = self._alternate(up, first, pinned=True)
            rss = self._rss(
                first[INBOXGRAPH], statistics.median(s.rate for s in samples[INBOXGRAPH])
            )
            _stop(first.values())
            second = {
                name: inboxgraph(
                    name, self.work_dir, up.url, workers=n, cpus=None, extra_env=self.extra_env
                )
                for name, n in ((ONE_WORKER, 1), (TWO_WORKERS, 2))
            }
            started += second.values()
            samples |= self._alternate(up, second, pinned=False)
        finally:
            _stop(started)
        return self._report(samples, rss, load_before, os.getloadavg())

    def _contenders(self, up: Upstream, strawberry_python: Path) -> dict[str, Contender]:
        cpus = self.cpus.servers
        work_dir = self.work_dir
        return {
            INBOXGRAPH: inboxgraph(
                INBOXGRAPH, work_dir, up.url, workers=1, cpus=cpus, extra_env=self.extra_env
            ),
            STRAWBERRY: strawberry(
                STRAWBERRY, work_dir, up.url, python=strawberry_python, cpus=cpus
            ),
            STRAWBERRY_SAME_ENV: strawberry(
                STRAWBERRY_SAME_ENV, work_dir, up.url, python=Path(sys.executable), cpus=cpus
            ),
            YOGA: yoga(work_dir, up.url, cpus=cpus),
        }

    def _alternate(
        self, up: Upstream, contenders: dict[str, Contender], *, pinned: bool
    ) -> dict[str, list[Sample]]:
        """Start the contenders, warm each up, then run each once per round, the order
        turning every round."""
        load_cpus = self.cpus.load if pinned else None
        body = self.body_file.read_bytes()
        for contender in contenders.values():
            contender.start()
        for contender in contenders.values():
            contender.wait_listening()
            contender.check_answer(body)
        for contender in contenders.values():
            self._load(contender, self.args.warmup, load_cpus)
        samples: dict[str, list[Sample]] = {name: [] for name in contenders}
        names = list(contenders)
        for round_ in range(self.args.repeat):
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                samples[name].append(self._sample(up, contenders[name], load_cpus))
        return samples

    def _load(self, contender: Contender, seconds: int, cpus: set[int] | None) -> Load:
        contender.ensure_running()
        load = run_wrk(
            contender.endpoint,
            self.body_file,
            seconds=seconds,
            connections=self.args.connections,
            cpus=cpus,
        )
        if load.wrong or load.errors or not load.requests:
            raise LoadFailed(
                f"{contender.name}: {load.requests} answers, {load.wrong} not a "
                f"ConversationUpdated, {load.errors} connection errors or timeouts"
            )
        return load

    def _sample(self, up: Upstream, contender: Contender, cpus: set[int] | None) -> Sample:
        answered, refused = up.calls()
        used = cpu_seconds(process_tree(contender.pid))
        load = self._load(contender, self.args.duration, cpus)
        used = cpu_seconds(process_tree(contender.pid)) - used
        answered_after, refused_after = up.calls()
        calls = answered_after - answered
        # Requests still in flight when wrk stopped may have made their call too.
        if refused_after != refused or not load.requests <= calls <= (
            load.requests + self.args.connections
        ):
            raise LoadFailed(
                f"{contender.name}: {load.requests} requests made {calls} upstream calls "
                f"and {refused_after - refused} refused ones (one call each expected)"
            )
        return Sample(rate=load.rate, cpu_per_request=used / load.requests)

    def _rss(self, contender: Contender, rate: float) -> tuple[int, int, int]:
        """inboxgraph's RSS before and after at least `--rss-requests` more requests (in
        runs sized by its measured `rate`), and the requests."""
        before = rss_bytes(process_tree(contender.pid))
        done = 0
        while done < self.args.rss_requests:
            seconds = math.ceil((self.args.rss_requests - done) / rate)
            done += self._load(contender, max(1, seconds), self.cpus.load).requests
        after = rss_bytes(process_tree(contender.pid))
        return before, after, done

    def _report(
        self,
        samples: dict[str, list[Sample]],
        rss: tuple[int, int, int],
        load_before: tuple[float, float, float],
        load_after: tuple[float, float, float],
    ) -> str:
        args = self.args
        rss_before, rss_after, rss_requests = rss
        ratios = [
            _ratio(
                "(a) throughput, requests/s: inboxgraph / Strawberry proxy",
                samples,
                INBOXGRAPH,
                STRAWBERRY,
                "rate",
                "≥ 1.3x",
                lambda r: r >= 1.3,
            ),
            _ratio(
                "(a) CPU per request, ms: inboxgraph / Strawberry proxy",
                samples,
                INBOXGRAPH,
                STRAWBERRY,
                "cpu",
                "≤ 0.8x",
                lambda r: r <= 0.8,
            ),
            _ratio(
                "(a) throughput, requests/s: inboxgraph / Strawberry proxy in inboxgraph's environment",
                samples,
                INBOXGRAPH,
                STRAWBERRY_SAME_ENV,
                "rate",
                "",
                None,
            ),
            _ratio(
                "(a) CPU per request, ms: inboxgraph / Strawberry proxy in inboxgraph's environment",
                samples,
                INBOXGRAPH,
                STRAWBERRY_SAME_ENV,
                "cpu",
                "",
                None,
            ),
            _ratio(
                "(b) throughput, requests/s: inboxgraph --workers 2 / --workers 1",
                samples,
                TWO_WORKERS,
                ONE_WORKER,
                "rate",
                "≥ 1.8x",
                lambda r: r >= 1.8,
            ),
            Ratio(
                f"(c) RSS, MiB: after / before {rss_requests:,} more requests",
                rss_after / 2**20,
                rss_before / 2**20,
                [rss_after / rss_before],
                "≤ 1.1x",
                lambda r: r <= 1.1,
                "{:.1f}",
            ),
            _ratio(
                "(d) CPU per request, ms: inboxgraph / Yoga proxy",
                samples,
                INBOXGRAPH,
                YOGA,
                "cpu",
                "≤ 2x",
                lambda r: r <= 2.0,
            ),
        ]
        lines = [
            f"{os.cpu_count()} CPUs ({_cpu_model()}); {self.cpus.describe()}; load average "
            f"{load_before[0]:.2f} before, {load_after[0]:.2f} after.",
            f"{args.repeat} rounds of {args.duration} s runs, alternating, after {args.warmup} s "
            f"of warm-up each; wrk: 1 thread, {args.connections} connections.",
            "",
            "| comparison | inboxgraph | against | ratio | rounds' range | target | met |",
            "|---|---:|---:|---:|---|---|---|",
            *(ratio.row() for ratio in ratios),
            "",
            "| server | requests/s | CPU ms per request | CPU cores busy |",
            "|---|---:|---:|---:|",
        ]
        for name, runs in samples.items():
            rate = statistics.median(s.rate for s in runs)
            cpu = statistics.median(s.cpu_per_request for s in runs)
            lines.append(f"| {name} | {rate:.0f} | {cpu * 1000:.3f} | {rate * cpu:.2f} |")
        return "\n".join(lines)


def _ratio(
    label: str,
    samples: dict[str, list[Sample]],
    ours: str,
    theirs: str,
    measure: str,
    target: str,
    met: Callable[[float], bool] | None,
) -> Ratio:
    def value(sample: Sample) -> float:
        return sample.rate if measure == "rate" else sample.cpu_per_request * 1000

    pairs = list(zip(samples[ours], samples[theirs], strict=True))
    return Ratio(
        label,
        statistics.median(value(a) for a, _ in pairs),
        statistics.median(value(b) for _, b in pairs),
        [value(a) / value(b) for a, b in pairs],
        target,
        met,
        "{:.0f}" if measure == "rate" else "{:.3f}",
    )


def _stop(servers: Iterable[Server]) -> None:
    for server in servers:
        server.stop()


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown model"
