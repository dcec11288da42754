"""bulkJobProgress over graphql-transport-ws, against a real `inboxgraph serve`: the job
after every change, then complete; the socket authenticated, the caller's jobs only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.jobs.processes import (
    Process,
    Upstream,
    graphql_ws,
    post,
    processes,
    receive,
    start_subscription,
    subscribe,
    until_end,
)
from tests.jobs.support import JOB, PROGRESS, START, eventually, puffle_id, puffle_input

DEFAULT_KEY, ACME_KEY = "default-key", "acme-key"
AS_DEFAULT = {"Authorization": f"Bearer {DEFAULT_KEY}"}


@dataclass(frozen=True)
class Served:
    api: Process
    upstream: Upstream


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("subscriptions")
    tenants = folder / "tenants.toml"
    tenants.write_text(f'[tenants.acme]\napi_keys = ["{ACME_KEY}"]\n')
    env = {"INBOXGRAPH_API_TOKEN": DEFAULT_KEY, "INBOXGRAPH_TENANTS_FILE": str(tenants)}
    with Upstream() as upstream, processes(folder) as spawn:
        yield Served(spawn("api", ["serve"], {**env, **upstream.env()}), upstream)


async def start_job(served: Served, inputs: list[dict[str, Any]]) -> str:
    body = await post(served.api.url, START, {"inputs": inputs}, DEFAULT_KEY)
    assert "errors" not in body, body
    job_id: str = body["data"]["startBulkUpdate"]["id"]
    return job_id


async def test_progress_tells_every_change_then_completes(served: Served) -> None:
    # Four updates of one conversation: sent one after another, so each is one change.
    conversation = puffle_id(7)
    inputs = [{"puffle": {"id": conversation, "unreadCount": n}} for n in range(4)]
    served.upstream.delay = 30.0  # held until the subscription listens
    job_id = await start_job(served, inputs)
    async with graphql_ws(served.api.ws_url, payload=AS_DEFAULT) as ws:
        await start_subscription(ws, PROGRESS, {"id": job_id})
        first = await receive(ws)
        served.upstream.delay = 0.05
        messages = [first, *await until_end(ws)]
    assert messages[-1] == {"id": "1", "type": "complete"}
    assert all(m["type"] == "next" and "errors" not in m["payload"] for m in messages[:-1])
    jobs = [m["payload"]["data"]["bulkJobProgress"] for m in messages[:-1]]
    assert jobs[0]["done"] == 0
    assert [(job["state"], job["done"]) for job in jobs if job["done"] > 0] == [
        ("RUNNING", 1),
        ("RUNNING", 2),
        ("RUNNING", 3),
        ("RUNNING", 4),
        ("FINISHED", 4),
    ]
    assert jobs[-1]["finishedAt"] is not None
    assert served.upstream.count(conversation) == 4


async def test_a_finished_job_is_told_once_and_completes(served: Served) -> None:
    served.upstream.delay = 0
    job_id = await start_job(served, [puffle_input(1)])
    await eventually(lambda: finished(served, job_id), timeout=10)
    async with graphql_ws(served.api.ws_url, payload=AS_DEFAULT) as ws:
        messages = await subscribe(ws, PROGRESS, {"id": job_id})
    assert [m["type"] for m in messages] == ["next", "complete"]
    assert messages[0]["payload"]["data"]["bulkJobProgress"]["state"] == "FINISHED"


async def finished(served: Served, job_id: str) -> bool:
    body = await post(served.api.url, JOB, {"id": job_id}, DEFAULT_KEY)
    return bool(body["data"]["bulkJob"]["state"] == "FINISHED")


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        (AS_DEFAULT, None),
        ({"authorization": f"Bearer {DEFAULT_KEY}"}, None),
        (None, AS_DEFAULT),
    ],
    ids=["connection_init", "lower-case", "upgrade-request"],
)
async def test_a_socket_authenticates_like_a_request(
    served: Served, payload: dict[str, str] | None, headers: dict[str, str] | None
) -> None:
    async with graphql_ws(served.api.ws_url, payload=payload, headers=headers) as ws:
        assert (await receive(ws))["type"] == "connection_ack"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, 4401),
        ({"Authorization": "Bearer wrong-key"}, 4403),
        ({"Authorization": DEFAULT_KEY}, 4403),
    ],
    ids=["none", "wrong", "not-bearer"],
)
async def test_a_socket_without_a_valid_credential_is_closed(
    served: Served, payload: dict[str, str], code: int
) -> None:
    async with graphql_ws(served.api.ws_url, payload=payload) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == code


async def test_another_tenants_job_is_not_found(served: Served) -> None:
    served.upstream.delay = 0
    job_id = await start_job(served, [puffle_input(2)])
    async with graphql_ws(served.api.ws_url, payload={"Authorization": f"Bearer {ACME_KEY}"}) as ws:
        messages = await subscribe(ws, PROGRESS, {"id": job_id})
    assert messages[0]["type"] == "next"
    payload = messages[0]["payload"]
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert messages[-1]["type"] == "complete"


async def test_the_websocket_runs_subscriptions_only(served: Served) -> None:
    async with graphql_ws(served.api.ws_url, payload=AS_DEFAULT) as ws:
        messages = await subscribe(ws, "{ providers { provider } }", {})
    payload = messages[0]["payload"]
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "OPERATION_OVER_WEBSOCKET"
