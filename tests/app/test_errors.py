"""Every error class, for every provider, through the whole app."""

from __future__ import annotations

import logging

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion

from inboxgraph.schema.enums import Provider
from tests.app.provider_cases import PROVIDER_CASES
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

STATUS_CASES = {
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "rate_limited": 429,
    "upstream_unavailable": 503,
    "upstream_error": 400,
}


def _raise(exc: Exception) -> httpx.Response:
    raise exc


@pytest.mark.parametrize("provider", list(PROVIDER_CASES), ids=lambda p: p.name.lower())
@pytest.mark.parametrize("case", list(STATUS_CASES))
async def test_error_status_maps_to_code(
    provider: Provider,
    case: str,
    json_snapshot: SnapshotAssertion,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    status = STATUS_CASES[case]
    provider_case = PROVIDER_CASES[provider]
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            status, json=provider_case.error_body(status), headers={"Retry-After": "30"}
        )
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="0")
    async with app_client(settings, transport) as client:
        result = await update_one(client, provider_case.valid_input)
    assert result["__typename"] == "UpdateFailed"
    assert result["code"] == case.upper()
    assert result["providerStatus"] == status
    assert len(seen) == 1
    assert result == json_snapshot
    for token in LIVE_TOKENS.values():
        assert token not in str(result)
        assert token not in caplog.text


@pytest.mark.parametrize("provider", list(PROVIDER_CASES), ids=lambda p: p.name.lower())
@pytest.mark.parametrize(
    ("case", "exc"),
    [
        ("timeout", httpx.ReadTimeout("timed out")),
        ("upstream_unavailable", httpx.ConnectError("connection refused")),
    ],
)
async def test_transport_failure_maps_to_code(
    provider: Provider, case: str, exc: Exception, json_snapshot: SnapshotAssertion
) -> None:
    transport, _ = mock_upstream(lambda request: _raise(exc))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, PROVIDER_CASES[provider].valid_input)
    assert result["code"] == case.upper()
    assert result["retryable"] is True
    assert result["providerStatus"] is None
    assert result == json_snapshot


@pytest.mark.parametrize("provider", list(PROVIDER_CASES), ids=lambda p: p.name.lower())
async def test_unconfigured_provider_answers_not_configured(
    provider: Provider, json_snapshot: SnapshotAssertion
) -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(200))
    settings = live_settings(**{f"INBOXGRAPH_{provider.name}_TOKEN": ""}, INBOXGRAPH_SANDBOX="off")
    async with app_client(settings, transport) as client:
        result = await update_one(client, PROVIDER_CASES[provider].valid_input)
    assert result["code"] == "NOT_CONFIGURED"
    assert seen == []
    assert result == json_snapshot
