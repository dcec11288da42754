"""No credential reaches a response, a log line or an exception message."""

from __future__ import annotations

import logging

import httpx
import pytest

from inboxgraph.cli import configure_logging
from inboxgraph.secrets import RedactingFilter, Redactor
from tests.app.provider_cases import PROVIDER_CASES
from tests.support import LIVE_TOKENS, app_client, graphql, live_settings, mock_upstream, update_one


def _echo_credentials(request: httpx.Request) -> httpx.Response:
    # A hostile or buggy upstream that echoes the credential back in its error.
    echoed = f"token {request.headers.get('authorization', '')} is not valid"
    return httpx.Response(
        401,
        json={
            "error": echoed,
            "message": echoed,
            "statusCode": 401,
            "status": "error",
            "code": 102,
            "errors": [{"errorId": 1001, "message": echoed}],
        },
    )


@pytest.mark.parametrize("provider", list(PROVIDER_CASES), ids=lambda p: p.name.lower())
async def test_credentials_echoed_by_upstream_are_masked(
    provider: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport, seen = mock_upstream(_echo_credentials)
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, PROVIDER_CASES[provider].valid_input)  # type: ignore[index]
        body = await graphql(client, "{ providers { provider mode } }")
    assert seen, "the request reached the mock upstream"
    assert seen[0].headers["authorization"].endswith(LIVE_TOKENS[provider])  # type: ignore[index]
    assert result["code"] == "UNAUTHENTICATED"
    for token in LIVE_TOKENS.values():
        assert token not in str(result)
        assert token not in str(body)
        assert token not in caplog.text


def test_redacting_filter_masks_log_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s", ("abc-secret-1",), None)
    RedactingFilter(Redactor(["abc-secret-1"])).filter(record)
    assert record.getMessage() == "sent **********"


def test_configure_logging_installs_the_filter_on_every_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        configure_logging(["tok-123-secret"])
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        root.removeHandler(handler)
        root.handlers[:] = before
