"""Every error class, for every provider, through the whole app: one table per provider."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion

from inboxgraph.domain.provider import Provider
from tests.app.provider_cases import PROVIDER_CASES
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

STATUS_CASES = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "RATE_LIMITED": 429,
    "UPSTREAM_UNAVAILABLE": 503,
    "UPSTREAM_ERROR": 400,
}
TRANSPORT_CASES: dict[str, Exception] = {
    "TIMEOUT": httpx.ReadTimeout("timed out"),
    "UPSTREAM_UNAVAILABLE": httpx.ConnectError("connection refused"),
}


async def _outcome(
    provider: Provider, answer: Callable[[httpx.Request], httpx.Response], **env: str
) -> dict[str, Any]:
    """The result of the provider's valid update against `answer`, and what was sent."""
    transport, seen = mock_upstream(answer)
    settings = live_settings(
        INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="0", INBOXGRAPH_RETRY_BASE_SECONDS="0", **env
    )
    async with app_client(settings, transport) as client:
        result = await update_one(client, PROVIDER_CASES[provider].valid_input)
    return {"result": result, "sent": [f"{r.method} {r.url.path}" for r in seen]}


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name.lower())
async def test_error_table(
    provider: Provider, json_snapshot: SnapshotAssertion, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = PROVIDER_CASES[provider]
    table: dict[str, Any] = {}
    for code, status in STATUS_CASES.items():

        def answer(request: httpx.Request, status: int = status) -> httpx.Response:
            return httpx.Response(
                status, json=case.error_body(status), headers={"Retry-After": "30"}
            )

        row = table[f"HTTP {status}"] = await _outcome(provider, answer)
        assert row["result"]["code"] == code, row
        assert row["result"]["providerStatus"] == status
        # eBay's updates go in bulk calls, whose server error may follow applied entries.
        batched = provider is Provider.EBAY
        assert row["result"]["mayHaveBeenApplied"] is (batched and status >= 500)
        # The update itself went out once: a 429 or 503 asking to wait 30 s is not waited
        # for. A provider may read before deciding not to retry.
        assert [s for s in row["sent"] if not s.startswith("GET")] == row["sent"][:1]
    for code, exc in TRANSPORT_CASES.items():

        def fail(request: httpx.Request, exc: Exception = exc) -> httpx.Response:
            raise exc

        row = table[type(exc).__name__] = await _outcome(provider, fail)
        assert row["result"]["code"] == code
        assert row["result"]["retryable"] is True
        assert row["result"]["providerStatus"] is None
        assert len(row["sent"]) == 3  # every case's update is safe to repeat
    row = table["not configured"] = await _outcome(
        provider,
        lambda request: httpx.Response(200),
        **{f"INBOXGRAPH_{provider.name}_TOKEN": "", "INBOXGRAPH_SANDBOX": "off"},
    )
    assert row["result"]["code"] == "NOT_CONFIGURED"
    assert row["sent"] == []
    for token in LIVE_TOKENS.values():
        assert token not in str(table)
        assert token not in caplog.text
    assert table == json_snapshot
