"""Several `inboxgraph serve` processes, or one with `--workers 2`, in front of one real
Ayrshare-like upstream: together they never send more than Ayrshare allows a profile
(300 per 5 minutes), sharing the budget and the waits through a real Redis, or dividing
the budget without one. The 5 minutes need not pass: the point is the cap within them."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inboxgraph.sandbox.ayrshare import SANDBOX_TOKEN
from inboxgraph.secrets import MASK
from tests.ports import free_port
from tests.redis_server import redis_server
from tests.scale_out_support import (
    RETRY_AFTER_SECONDS,
    THROTTLED,
    CountingAyrshare,
    Served,
    ayrshare_updates,
    counting_ayrshare,
    inboxgraph_command,
    outcome_counts,
    send_concurrently,
    serve_env,
    serving,
    update_many_at,
)

AYRSHARE_BUDGET = 300
UPDATES = 400


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[str]:
    """A Redis of this module's own: its servers outlive a test, and other tests empty
    the session's Redis."""
    with redis_server() as url:
        yield url


def _assert_capped(results: list[dict[str, object]], sent: int, cap: int) -> None:
    """`sent` updates reached the upstream, every one of them updated, and all the others
    were refused here as RATE_LIMITED (retryable, nothing sent)."""
    assert sent == cap
    assert outcome_counts(results) == {"ConversationUpdated": cap, "RATE_LIMITED": UPDATES - cap}
    refused = [r for r in results if r["__typename"] == "UpdateFailed"]
    assert all(r["retryable"] and not r["mayHaveBeenApplied"] for r in refused)
    assert all(r["providerStatus"] is None for r in refused), "refused here, not upstream"


@pytest.fixture(scope="module")
def two_processes(
    shared_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CountingAyrshare, list[Served]]]:
    """Two `inboxgraph serve` processes sharing one Redis and one upstream; each test
    uses profiles of its own."""
    profiles = ("two-processes", "asked-to-wait", "not-asked")
    with (
        counting_ayrshare(*profiles) as (upstream, origin),
        serving(
            serve_env(origin, INBOXGRAPH_REDIS_URL=shared_redis),
            tmp_path_factory.mktemp("two-processes"),
            count=2,
        ) as servers,
    ):
        yield upstream, servers


async def test_two_processes_sharing_redis_send_at_most_the_budget(
    two_processes: tuple[CountingAyrshare, list[Served]],
) -> None:
    upstream, servers = two_processes
    profile = "two-processes"
    results = await send_concurrently([s.origin for s in servers], profile, UPDATES)
    _assert_capped(results, upstream.updates(profile), AYRSHARE_BUDGET)
    assert not upstream.state.rate_limited, "Ayrshare never had to answer 429"
    # Both processes sent some: the budget was shared, not spent by one of them.
    sending = [s for s in servers if re.search(r"Ayrshare PUT \S+ -> 200", s.log())]
    assert len(sending) == 2


async def test_a_wait_asked_of_one_process_is_honoured_by_the_other(
    two_processes: tuple[CountingAyrshare, list[Served]],
) -> None:
    upstream, servers = two_processes
    profile, other_profile = "asked-to-wait", "not-asked"
    first, second = (s.origin for s in servers)
    throttled = ayrshare_updates(profile, 0, 1)
    throttled[0]["ayrshare"]["conversationId"] = THROTTLED
    [answered] = await update_many_at(first, throttled)
    assert (answered["code"], answered["providerStatus"]) == ("RATE_LIMITED", 429)

    [held, elsewhere] = await update_many_at(
        second, ayrshare_updates(profile, 0, 1) + ayrshare_updates(other_profile, 0, 1)
    )
    assert held["code"] == "RATE_LIMITED"
    assert held["providerStatus"] is None
    assert f"asked to wait {RETRY_AFTER_SECONDS} s; this request was not sent" in held["message"]
    assert upstream.updates(profile) == 1, "the second process sent nothing for it"
    assert elsewhere["__typename"] == "ConversationUpdated", "other profiles still go"


async def test_workers_sharing_redis_send_at_most_the_budget(
    shared_redis: str, tmp_path: Path
) -> None:
    profile = "two-workers"
    with (
        counting_ayrshare(profile) as (upstream, origin),
        serving(
            serve_env(origin, INBOXGRAPH_REDIS_URL=shared_redis),
            tmp_path,
            args=("--workers", "2"),
        ) as [server],
    ):
        results = await send_concurrently([server.origin], profile, UPDATES)
        # Whichever worker took each request, the workers together sent the budget once.
        _assert_capped(results, upstream.updates(profile), AYRSHARE_BUDGET)
        assert "shared through Redis" in server.log()


async def test_workers_without_redis_divide_the_budget_and_mask_credentials(
    tmp_path: Path,
) -> None:
    profile = "divided"
    with (
        counting_ayrshare(profile) as (upstream, origin),
        serving(serve_env(origin), tmp_path, args=("--workers", "2")) as [server],
    ):
        # One connection is served by one worker: it sends its half and no more.
        async with httpx.AsyncClient(base_url=server.origin, timeout=30.0) as client:
            for first in range(0, UPDATES, 100):
                await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($i: [UpdateConversationInput!]!) "
                        "{ updateConversations(inputs: $i) { __typename } }",
                        "variables": {"i": ayrshare_updates(profile, first, 100)},
                    },
                )
        assert upstream.updates(profile) == AYRSHARE_BUDGET // 2
        # Many connections, whichever workers take them: never more than the budget.
        results = await send_concurrently([server.origin], profile, UPDATES)
        assert upstream.updates(profile) <= AYRSHARE_BUDGET
        assert set(outcome_counts(results)) <= {"ConversationUpdated", "RATE_LIMITED"}

        # A worker logs a line holding the credential (for a profile Ayrshare refuses,
        # so a budget spent above cannot hold it back): it is masked.
        leaking = ayrshare_updates("unknown-profile", 0, 1)
        leaking[0]["ayrshare"]["conversationId"] = SANDBOX_TOKEN
        await update_many_at(server.origin, leaking)
        log = server.log()

    assert "each sends at most Ayrshare 150 of 300 requests per 300 s" in log
    # Every worker logs through the same set-up (format, request id, redaction).
    started = [
        line["message"]
        for line in map(json.loads, log.splitlines())
        if line["logger"] == "uvicorn.error"
        and line["message"].startswith("Started server process")
    ]
    assert len(set(started)) == 2
    assert f"Ayrshare PUT /api/messages/instagram/{MASK} -> " in log
    assert SANDBOX_TOKEN not in log


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreachable_redis_refuses_to_start_in_one_line(workers: str) -> None:
    password = "hunter2-redis-password"
    finished = subprocess.run(
        inboxgraph_command("serve", "--port", str(free_port()), "--workers", workers),
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "INBOXGRAPH_REDIS_URL": f"redis://:{password}@127.0.0.1:{free_port()}/0",
        },
        timeout=30,
    )
    assert finished.returncode == 2
    assert finished.stderr == (
        "inboxgraph: Redis (INBOXGRAPH_REDIS_URL) cannot be reached: ConnectionError\n"
    )


def test_more_workers_than_a_budget_can_be_divided_among_refuse_to_start() -> None:
    finished = subprocess.run(
        inboxgraph_command("serve", "--port", str(free_port()), "--workers", "101"),
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert finished.returncode == 2
    assert finished.stderr == (
        "inboxgraph: 101 workers cannot divide HighLevel's budget of 100 requests per 10 s "
        "among themselves: use at most 100 workers, or set INBOXGRAPH_REDIS_URL so that "
        "they share it\n"
    )
