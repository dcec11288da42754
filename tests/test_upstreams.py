"""Which budgets the provider clients pace with."""

from __future__ import annotations

from typing import Any

import httpx

from inboxgraph.upstreams import connect_upstreams
from tests.support import client_for, live_settings, mock_upstream, update_many


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
