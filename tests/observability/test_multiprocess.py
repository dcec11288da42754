"""Several worker processes, one /metrics: each process writes its values under
PROMETHEUS_MULTIPROC_DIR and the answer sums them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from inboxgraph.observability.multiprocess import MULTIPROCESS_DIR_VARIABLE, multiprocess_directory
from tests.support import app_client

ROOT = Path(__file__).resolve().parents[2]

#: A worker: updates the sandbox's Puffle conversation N times through the whole app.
WORKER = """
import asyncio, sys
from tests.support import app_client, update_one

async def main(times: int) -> None:
    async with app_client() as client:
        for _ in range(times):
            result = await update_one(
                client, {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "unreadCount": 0}}
            )
            assert result["__typename"] == "ConversationUpdated", result

asyncio.run(main(int(sys.argv[1])))
"""


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_answer_sums_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, MULTIPROCESS_DIR_VARIABLE: str(directory)}
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(times)], cwd=ROOT, env=env)
        for times in (1, 2)
    ]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]
    pids = {str(worker.pid) for worker in workers}
    assert {path.stem.rsplit("_", 1)[1] for path in directory.glob("*.db")} == pids

    monkeypatch.setenv(MULTIPROCESS_DIR_VARIABLE, str(directory))
    async with app_client() as client:
        answer = await client.get("/metrics")
    found = samples(answer.text)
    operation = (("operation", "UpdateOne"), ("outcome", "ok"), ("tenant", "default"))
    assert found["inboxgraph_graphql_operations_total", (*operation, ("type", "mutation"))] == 3
    call = (
        ("code", "OK"),
        ("method", "PATCH"),
        ("provider", "PUFFLE"),
        ("status", "200"),
        ("tenant", "default"),
    )
    assert found["inboxgraph_upstream_requests_total", call] == 3
    timed = (("method", "PATCH"), ("provider", "PUFFLE"))
    assert found["inboxgraph_upstream_request_duration_seconds_count", timed] == 3
    every = tuple(sorted((*timed, ("le", "+Inf"))))
    assert found["inboxgraph_upstream_request_duration_seconds_bucket", every] == 3
    batches = (("kind", "update"), ("provider", "PUFFLE"))
    assert found["inboxgraph_loader_batch_size_sum", batches] == 3
    # This process's own values (its registry is in memory) are not part of the answer.
    assert not any(name.startswith("process_") for name, _ in found)


def test_a_given_directory_is_created_and_emptied_of_metric_files_only(tmp_path: Path) -> None:
    directory = tmp_path / "given" / "metrics"
    env = {MULTIPROCESS_DIR_VARIABLE: str(directory)}
    with multiprocess_directory(1, env) as used:
        assert used == str(directory)
        assert directory.is_dir()
        (directory / "counter_123.db").write_bytes(b"stale")
        (directory / "histogram_9.db").write_bytes(b"stale")
        (directory / "notes.txt").write_text("not ours")
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]

    (directory / "gauge_livesum_77.db").write_bytes(b"left by a crashed run")
    with multiprocess_directory(4, env):
        assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]


def test_several_workers_get_a_fresh_directory_removed_afterwards() -> None:
    env: dict[str, str] = {}
    with multiprocess_directory(2, env) as used:
        assert used is not None
        assert env[MULTIPROCESS_DIR_VARIABLE] == used
        assert list(Path(used).iterdir()) == []
        Path(used, "counter_1.db").write_bytes(b"x")
    assert MULTIPROCESS_DIR_VARIABLE not in env
    assert not Path(used).exists()


def test_one_worker_needs_no_directory() -> None:
    env: dict[str, str] = {}
    with multiprocess_directory(1, env) as used:
        assert used is None
    assert env == {}
