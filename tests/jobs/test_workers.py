"""Jobs in Redis, run by real `inboxgraph worker` processes: a job outlives the API process
that started it and is seen from every API process; workers share a job's parts; a worker
killed mid-job, or one whose providers fail in every way the sandbox can, loses no item
and sends none twice that is not safe to repeat."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import redis

from inboxgraph.config.faults import parse_fault_plan
from tests.jobs.processes import (
    Process,
    Upstream,
    graphql_ws,
    post,
    processes,
    receive,
    start_subscription,
    until_end,
)
from tests.jobs.support import (
    JOB,
    PROGRESS,
    START,
    eventually,
    puffle_id,
    puffle_input,
    vcita_follow_up,
)


def worker_env(redis_url: str, upstream: Upstream) -> dict[str, str]:
    return {
        "INBOXGRAPH_REDIS_URL": redis_url,
        "INBOXGRAPH_JOB_LEASE_SECONDS": "1",
        **upstream.env(),
    }


def start_worker(spawn: Any, name: str, env: dict[str, str], *args: str) -> Process:
    worker: Process = spawn(name, ["worker", *args], env)
    worker.wait_for_log("Starting worker")
    return worker


async def start_job(api: Process, inputs: list[dict[str, Any]]) -> str:
    body = await post(api.url, START, {"inputs": inputs})
    assert "errors" not in body, body
    job_id: str = body["data"]["startBulkUpdate"]["id"]
    return job_id


async def read_job(api: Process, job_id: str) -> dict[str, Any]:
    body = await post(api.url, JOB, {"id": job_id, "limit": 1000})
    assert "errors" not in body, body
    job: dict[str, Any] = body["data"]["bulkJob"]
    return job


async def finished_job(api: Process, job_id: str, timeout: float = 30.0) -> dict[str, Any]:
    async def done() -> bool:
        return (await read_job(api, job_id))["state"] in {"FINISHED", "CANCELLED"}

    await eventually(done, timeout)
    return await read_job(api, job_id)


async def test_a_job_outlives_its_api_process_and_every_api_process_sees_it(
    redis_url: str, tmp_path: Path
) -> None:
    with Upstream() as upstream, processes(tmp_path) as spawn:
        env = worker_env(redis_url, upstream)
        start_worker(spawn, "worker", env)
        first, second = spawn("api-1", ["serve"], env), spawn("api-2", ["serve"], env)
        upstream.delay = 60.0  # held until the other process is listening
        job_id = await start_job(first, [puffle_input(n) for n in range(24)])
        async with graphql_ws(second.ws_url) as ws:
            await start_subscription(ws, PROGRESS, {"id": job_id})
            told = [await receive(ws)]
            await eventually(lambda: upstream.count() == 8)  # the worker is sending
            first.stop()  # the process that started the job is gone
            upstream.delay = 0.3
            seen = await read_job(second, job_id)
            assert (seen["state"], seen["total"]) == ("RUNNING", 24)
            again = spawn("api-1-again", ["serve"], env)
            job = await finished_job(again, job_id)
            told += await asyncio.wait_for(until_end(ws), 30)
    assert (job["state"], job["succeeded"], job["failed"]) == ("FINISHED", 24, 0)
    assert [r["index"] for r in job["results"]] == list(range(24))
    assert all(upstream.count(puffle_id(n)) == 1 for n in range(24))
    assert told[-1] == {"id": "1", "type": "complete"}
    jobs = [m["payload"]["data"]["bulkJobProgress"] for m in told[:-1]]
    assert jobs[0]["done"] == 0
    # Every change, from the other API process: each item's result, then the end.
    assert [j["done"] for j in jobs if j["state"] == "RUNNING" and j["done"] > 0] == list(
        range(1, 25)
    )
    assert (jobs[-1]["state"], jobs[-1]["done"]) == ("FINISHED", 24)


async def test_a_worker_killed_mid_job_loses_no_item(redis_url: str, tmp_path: Path) -> None:
    # Every third item is a vcita follow-up note: not safe to send twice.
    inputs = [vcita_follow_up(n) if n % 3 == 2 else puffle_input(n) for n in range(24)]
    paths = [
        f"/vcita/v2/conversations/uid{n:05d}"
        if n % 3 == 2
        else f"/puffle/api/conversations/{puffle_id(n)}"
        for n in range(24)
    ]
    with Upstream() as upstream, processes(tmp_path) as spawn:
        env = worker_env(redis_url, upstream)
        doomed = start_worker(spawn, "worker-1", env)
        api = spawn("api", ["serve"], env)
        upstream.delay = 60.0  # every request held at the provider
        job_id = await start_job(api, inputs)
        # Puffle and vcita take 8 requests each at once: 16 on their way, 8 waiting.
        await eventually(lambda: upstream.count() == 16)
        states = redis.Redis.from_url(redis_url).hgetall(
            f"inboxgraph:job:{{default:{job_id}}}:states"
        )
        assert isinstance(states, dict)
        in_flight = {int(index) for index, state in states.items() if state == b"SENDING"}
        doomed.kill()
        upstream.delay = 0.05
        start_worker(spawn, "worker-2", env)
        job = await finished_job(api, job_id)
    assert len(in_flight) == 16
    results = {r["index"]: r["result"] for r in job["results"]}
    assert sorted(results) == list(range(24))  # no item lost
    for n, path in enumerate(paths):
        sent, result = upstream.count(path), results[n]
        if n % 3 == 2:
            # Never sent twice: reported as maybe applied instead.
            assert n in in_flight
            assert sent == 1
            assert (result["code"], result["mayHaveBeenApplied"]) == ("INTERRUPTED", True)
        elif n in in_flight:
            assert sent == 2  # safe to repeat: sent again
            assert result["__typename"] == "ConversationUpdated"
        else:
            assert sent == 1
            assert result["__typename"] == "ConversationUpdated"
    assert (job["state"], job["succeeded"], job["failed"]) == ("FINISHED", 16, 8)


async def test_two_workers_share_one_job_and_one_takes_over_the_others_parts(
    redis_url: str, tmp_path: Path
) -> None:
    inputs = [puffle_input(n) for n in range(400)]  # four parts of 100
    with Upstream() as upstream, processes(tmp_path) as spawn:
        env = worker_env(redis_url, upstream)
        # Two parts at a time each, so that neither takes the whole job.
        doomed = start_worker(spawn, "worker-1", env, "--max-jobs", "2")
        start_worker(spawn, "worker-2", env, "--max-jobs", "2")
        api = spawn("api", ["serve"], env)
        upstream.delay = 60.0  # every request held at the provider
        job_id = await start_job(api, inputs)
        # A worker sends 8 Puffle requests at once, whatever its parts: 16 are both.
        await eventually(lambda: upstream.count() == 16)
        await asyncio.sleep(0.2)
        assert upstream.count() == 16
        doomed.kill()
        upstream.delay = 0.0
        job = await finished_job(api, job_id)
    assert (job["state"], job["succeeded"], job["failed"]) == ("FINISHED", 400, 0)
    sent = [upstream.count(puffle_id(n)) for n in range(400)]
    # The dead worker's 8 items in flight were sent again (safe to repeat); no other was.
    assert sorted(sent) == [1] * 392 + [2] * 8


async def test_faults_through_a_worker_lose_no_item_and_send_none_twice_unsafely(
    redis_url: str, tmp_path: Path
) -> None:
    # Every fault at once, between a real worker and its providers; every fourth item is a
    # vcita follow-up note, not safe to send twice.
    faults = parse_fault_plan(
        "latency=5ms,burst_429=2/40,retry_after=1,error_rate=0.15,timeout_rate=0.1,"
        "drop_rate=0.15,malformed_rate=0.1"
    )
    inputs = [vcita_follow_up(n) if n % 4 == 3 else puffle_input(n) for n in range(80)]
    paths = [
        f"/vcita/v2/conversations/uid{n:05d}"
        if n % 4 == 3
        else f"/puffle/api/conversations/{puffle_id(n)}"
        for n in range(80)
    ]
    with Upstream(faults, seed=7) as upstream, processes(tmp_path) as spawn:
        env = {
            **worker_env(redis_url, upstream),
            # Retries at once, and a held call given up after 0.3 s.
            "INBOXGRAPH_RETRY_BASE_SECONDS": "0",
            "INBOXGRAPH_TIMEOUT_SECONDS": "0.3",
        }
        worker = start_worker(spawn, "worker", env)
        api = spawn("api", ["serve"], env)
        job = await finished_job(api, await start_job(api, inputs))
        struck = upstream.fault_counts()
        # The worker lived through it and still runs jobs.
        worker.assert_running()
        upstream.stop_faults()
        after = await finished_job(
            api, await start_job(api, [puffle_input(n) for n in range(80, 90)])
        )
    assert (job["state"], job["total"], job["done"]) == ("FINISHED", 80, 80)
    assert job["succeeded"] and job["failed"]
    assert (after["state"], after["succeeded"]) == ("FINISHED", 10)
    assert struck.rate_limited and struck.errors and struck.timeouts
    assert struck.dropped and struck.malformed
    results = {r["index"]: r["result"] for r in job["results"]}
    assert sorted(results) == list(range(80))  # no item lost
    assert sum(upstream.sent[path] for path in paths) == struck.requests - 10
    codes = set()
    for n, path in enumerate(paths):
        result, applied = results[n], upstream.arrived[path]
        sent = upstream.sent[path] - upstream.refused[path]  # a 429 is a refusal: nothing done
        assert applied <= 1, f"item {n} applied {applied} times"
        if n % 4 == 3:
            assert sent == 1, f"the note of item {n} was sent {sent} times"
        else:
            # At most INBOXGRAPH_RETRY_ATTEMPTS calls each time the item is sent, and it is
            # sent once more only after a 429 (the job puts it back).
            assert upstream.sent[path] <= 3 * (1 + upstream.refused[path])
        if result["__typename"] == "ConversationUpdated":
            assert applied == 1
            continue
        codes.add(result["code"])
        if not result["mayHaveBeenApplied"]:
            assert applied == 0
        if n % 4 == 3 and result["mayHaveBeenApplied"]:
            # Not safe to send again: never reported as worth retrying.
            assert result["retryable"] is False
    assert codes <= {"UPSTREAM_UNAVAILABLE", "TIMEOUT", "UNCONFIRMED"}
    # Every update the providers applied is a success, or one whose answer was unreadable.
    unconfirmed = sum(r.get("code") == "UNCONFIRMED" for r in results.values())
    assert sum(upstream.arrived[path] for path in paths) == job["succeeded"] + unconfirmed
