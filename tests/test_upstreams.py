"""Which budgets the provider clients pace with: divided among workers without Redis,
shared through Redis with it, and a Redis gone mid-run answered as data, never a 500."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from inboxgraph.config import ConfigurationError, load_settings
from inboxgraph.shared.budgets import RedisBudgets
from inboxgraph.upstreams import budget_sharing_problem, connect_upstreams
from tests.redis_server import redis_server
from tests.support import client_for, graphql, live_settings, mock_upstream, update_many

READ = "query($ref: ConversationRef!) { conversation(ref: $ref) { __typename } }"
AYRSHARE_REF = {"platform": "INSTAGRAM", "id": "c0"}


def ayrshare_updates(first: int, count: int) -> list[dict[str, Any]]:
    """Updates of distinct conversations of one Ayrshare profile."""
    return [
        {
            "ayrshare": {
                "platform": "INSTAGRAM",
                "conversationId": f"c{n}",
                "status": "ARCHIVED",
                "profileKey": "p",
            }
        }
        for n in range(first, first + count)
    ]


#: Ayrshare's budget (300 per 5 minutes per profile), sent as three requests.
UPDATES = [ayrshare_updates(first, 100) for first in range(0, 300, 100)]


def _ayrshare_success(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"status": "success"})


async def test_workers_without_redis_each_pace_with_their_share() -> None:
    transport, seen = mock_upstream(_ayrshare_success)
    upstreams = connect_upstreams(live_settings(INBOXGRAPH_WORKERS="2"), transport=transport)
    async with client_for(upstreams) as client:
        results = [r for inputs in UPDATES for r in await update_many(client, inputs)]
    assert len(seen) == 150
    refused = [r for r in results if r["__typename"] == "UpdateFailed"]
    assert len(refused) == 150
    assert refused[0]["message"].startswith(
        "Ayrshare allows 300 requests per 300 s (150 for each of 2 workers without Redis); "
    )


async def test_processes_with_one_redis_pace_with_one_budget(redis_url: str) -> None:
    transport, seen = mock_upstream(_ayrshare_success)
    settings = live_settings(INBOXGRAPH_REDIS_URL=redis_url, INBOXGRAPH_WORKERS="2")
    one = connect_upstreams(settings, transport=transport)
    other = connect_upstreams(settings, transport=transport)
    assert isinstance(one.budgets, RedisBudgets)
    async with client_for(one) as first, client_for(other) as second:
        for n, inputs in enumerate([*UPDATES, ayrshare_updates(300, 10)]):
            await update_many(first if n % 2 else second, inputs)
    assert len(seen) == 300  # the whole budget, not a worker's share, and not more


async def test_a_redis_gone_mid_run_fails_updates_as_retryable_data_with_nothing_sent() -> None:
    transport, seen = mock_upstream(_ayrshare_success)
    with redis_server() as url:
        upstreams = connect_upstreams(live_settings(INBOXGRAPH_REDIS_URL=url), transport=transport)
        async with client_for(upstreams) as client:
            [updated] = await update_many(client, ayrshare_updates(0, 1))
            assert upstreams.redis is not None
            await upstreams.redis.shutdown(nosave=True)
            started = time.monotonic()
            results = await update_many(client, ayrshare_updates(1, 3))
            read = await graphql(client, READ, {"ref": {"ayrshare": AYRSHARE_REF}})
    assert time.monotonic() - started < 1.0
    assert read["data"] == {"conversation": None}
    assert read["errors"][0]["extensions"]["code"] == "STATE_UNAVAILABLE"
    assert updated["__typename"] == "ConversationUpdated"
    assert len(seen) == 1
    for result in results:
        assert (result["code"], result["retryable"], result["mayHaveBeenApplied"]) == (
            "STATE_UNAVAILABLE",
            True,
            False,
        )
        assert "nothing was sent" in result["message"]


def test_workers_without_redis_must_each_get_a_whole_request_of_every_budget() -> None:
    assert budget_sharing_problem(load_settings({"INBOXGRAPH_WORKERS": "100"})) is None
    problem = budget_sharing_problem(load_settings({"INBOXGRAPH_WORKERS": "101"}))
    assert problem is not None and problem.startswith("101 workers cannot divide HighLevel's")
    with pytest.raises(ConfigurationError):
        connect_upstreams(load_settings({"INBOXGRAPH_WORKERS": "101"}))
    shared = {"INBOXGRAPH_WORKERS": "101", "INBOXGRAPH_REDIS_URL": "redis://127.0.0.1:1/0"}
    assert budget_sharing_problem(load_settings(shared)) is None
