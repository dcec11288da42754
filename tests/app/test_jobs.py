"""Bulk jobs run in the serving process (no Redis): started at once, read while they run,
results in input order, cancelled before their next item, scoped to their tenant."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from inboxgraph.config import load_settings
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import (
    CANCEL,
    SlowUpstream,
    eventually,
    finished,
    puffle_id,
    puffle_input,
    read_job,
    start,
)
from tests.support import LIVE_TOKENS, UPDATE_MANY, client_for, graphql, live_settings


def slow_client(upstream: SlowUpstream, **env: str) -> Any:
    return client_for(connect_upstreams(live_settings(**env), transport=upstream.transport()))


async def test_a_job_returns_at_once_and_answers_in_input_order() -> None:
    upstream = SlowUpstream()
    inputs = [puffle_input(n) for n in range(5)]
    inputs.insert(2, {"puffle": {"id": "not-a-uuid", "status": "ARCHIVED"}})
    async with slow_client(upstream) as client:
        job = await start(client, inputs)
        # Nothing has been answered upstream yet: the mutation did not wait for the job.
        assert job["state"] == "QUEUED"
        assert (job["total"], job["done"], job["finishedAt"]) == (6, 0, None)
        await eventually(lambda: upstream.total == 5)
        running = await read_job(client, job["id"])
        assert running is not None
        assert (running["state"], running["done"]) == ("RUNNING", 1)  # the invalid one
        upstream.open()
        done = await finished(client, job["id"])
        page = await read_job(client, job["id"], offset=1, limit=3)
    assert done["state"] == "FINISHED"
    assert (done["total"], done["done"], done["succeeded"], done["failed"]) == (6, 6, 5, 1)
    assert done["finishedAt"] is not None
    results = done["results"]
    assert [r["index"] for r in results] == list(range(6))
    assert [r["result"]["__typename"] for r in results] == [
        "ConversationUpdated",
        "ConversationUpdated",
        "UpdateFailed",
        "ConversationUpdated",
        "ConversationUpdated",
        "ConversationUpdated",
    ]
    assert results[2]["result"]["code"] == "INVALID_INPUT"
    assert [r["result"]["conversation"]["id"] for r in results[3:]] == [
        puffle_id(n) for n in (2, 3, 4)
    ]
    assert page is not None
    assert [r["index"] for r in page["results"]] == [1, 2, 3]
    assert sorted(upstream.arrived.values()) == [1] * 5


async def test_cancel_stops_before_the_next_item_and_the_unsent_end_cancelled() -> None:
    upstream = SlowUpstream()
    async with slow_client(upstream) as client:
        job = await start(client, [puffle_input(n) for n in range(250)])  # three parts
        # Puffle takes 8 requests at once, whatever the parts: 8 are on their way.
        await eventually(lambda: upstream.total == 8)
        cancelling = asyncio.create_task(graphql(client, CANCEL, {"id": job["id"]}))
        await asyncio.sleep(0.1)
        upstream.open()
        body = await cancelling
        cancelled = body["data"]["cancelBulkJob"]
        final = await read_job(client, job["id"], limit=1000)
    assert cancelled["state"] == "CANCELLED"
    assert (cancelled["done"], cancelled["succeeded"], cancelled["failed"]) == (250, 8, 242)
    assert upstream.total == 8
    assert final is not None
    sent = {path.rsplit("/", 1)[-1] for path in upstream.arrived}
    for n, item in enumerate(final["results"]):
        if puffle_id(n) in sent:
            assert item["result"]["__typename"] == "ConversationUpdated"
        else:
            assert (item["result"]["code"], item["result"]["mayHaveBeenApplied"]) == (
                "CANCELLED",
                False,
            )


async def test_cancelling_a_finished_job_changes_nothing() -> None:
    upstream = SlowUpstream()
    upstream.open()
    async with slow_client(upstream) as client:
        job = await start(client, [puffle_input(1)])
        await finished(client, job["id"])
        body = await graphql(client, CANCEL, {"id": job["id"]})
    assert body["data"]["cancelBulkJob"]["state"] == "FINISHED"


async def test_a_job_is_its_tenants_alone(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text('[tenants.acme]\napi_keys = ["acme-key"]\n')
    env = {f"INBOXGRAPH_{p.name}_TOKEN": t for p, t in LIVE_TOKENS.items()}
    settings = load_settings(
        {**env, "INBOXGRAPH_TENANTS_FILE": str(tenants), "INBOXGRAPH_API_TOKEN": "default-key"}
    )
    upstream = SlowUpstream()
    async with client_for(connect_upstreams(settings, transport=upstream.transport())) as client:
        client.headers["authorization"] = "Bearer default-key"
        job = await start(client, [puffle_input(n) for n in range(3)])
        client.headers["authorization"] = "Bearer acme-key"
        seen = await read_job(client, job["id"])
        refused = await graphql(client, CANCEL, {"id": job["id"]})
        client.headers["authorization"] = "Bearer default-key"
        upstream.open()
        done = await finished(client, job["id"])
    assert seen is None
    assert refused["data"]["cancelBulkJob"] is None
    assert (done["state"], done["succeeded"]) == ("FINISHED", 3)


async def test_a_finished_job_is_forgotten_after_its_retention() -> None:
    upstream = SlowUpstream()
    upstream.open()
    async with slow_client(upstream, INBOXGRAPH_JOB_RETENTION_SECONDS="0.3") as client:
        job = await start(client, [puffle_input(1)])
        await finished(client, job["id"])
        assert await read_job(client, job["id"]) is not None
        await asyncio.sleep(0.4)
        assert await read_job(client, job["id"]) is None


async def test_an_unknown_job_is_null() -> None:
    async with slow_client(SlowUpstream()) as client:
        assert await read_job(client, "0" * 32) is None
        assert await read_job(client, "no such job") is None


async def test_a_job_has_its_own_cap_and_not_the_request_budget() -> None:
    upstream = SlowUpstream()
    upstream.open()
    env = {"INBOXGRAPH_MAX_UPSTREAM_CALLS": "2", "INBOXGRAPH_MAX_JOB_ITEMS": "3"}
    async with slow_client(upstream, **env) as client:
        job = await start(client, [puffle_input(n) for n in range(3)])
        over_cap = await graphql(
            client,
            "mutation($i: [UpdateConversationInput!]!) { startBulkUpdate(inputs: $i) { id } }",
            {"i": [puffle_input(n) for n in range(4)]},
        )
        over_budget = await graphql(
            client, UPDATE_MANY, {"inputs": [puffle_input(n) for n in range(3)]}
        )
        await finished(client, job["id"])
    assert over_cap["data"] is None
    assert over_cap["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 3" in over_cap["errors"][0]["message"]
    assert "INBOXGRAPH_MAX_JOB_ITEMS" in over_cap["errors"][0]["message"]
    assert over_budget["errors"][0]["extensions"]["code"] == "UPSTREAM_BUDGET_EXCEEDED"
    assert "startBulkUpdate" in over_budget["errors"][0]["message"]
    assert upstream.total == 3


async def test_update_conversations_points_to_jobs_past_its_limit() -> None:
    async with slow_client(SlowUpstream(), INBOXGRAPH_MAX_UPSTREAM_CALLS="500") as client:
        body = await graphql(client, UPDATE_MANY, {"inputs": [puffle_input(n) for n in range(101)]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "startBulkUpdate" in body["errors"][0]["message"]


async def test_results_refuse_a_page_out_of_range() -> None:
    upstream = SlowUpstream()
    upstream.open()
    async with slow_client(upstream) as client:
        job = await start(client, [puffle_input(1)])
        await finished(client, job["id"])
        body = await graphql(
            client,
            "query($id: ID!) { bulkJob(id: $id) { results(limit: 1001) { index } } }",
            {"id": job["id"]},
        )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
