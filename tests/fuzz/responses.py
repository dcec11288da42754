"""What every answer of /graphql must be, whatever was asked: a GraphQL response."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

#: Top-level entries a GraphQL response may have (GraphQL spec, "Response Format").
RESPONSE_ENTRIES = frozenset({"data", "errors", "extensions"})
JSON_MEDIA_TYPES = ("application/json", "application/graphql-response+json")


def assert_graphql_response(status: int, content_type: str, content: bytes) -> dict[str, Any]:
    """Fail unless the answer is a well-formed GraphQL response below 500, every error
    coded; return its body."""
    assert status < 500, f"HTTP {status}: {content[:2000]!r}"
    assert content_type.split(";")[0].strip() in JSON_MEDIA_TYPES, (
        f"HTTP {status} answered {content_type!r}: {content[:2000]!r}"
    )
    body = json.loads(content)
    assert isinstance(body, dict), f"the body is not a JSON object: {body!r}"
    assert body.keys() <= RESPONSE_ENTRIES, f"unexpected entries: {sorted(body.keys())}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {body!r}"
    if "data" not in body or body["data"] is None:
        # Without data, the errors say why (and a request error has no data at all).
        assert body.get("errors"), f"no data and no errors: {body!r}"
    if "data" in body:
        assert body["data"] is None or isinstance(body["data"], dict), body
    if "errors" in body:
        errors = body["errors"]
        assert isinstance(errors, list) and errors, f"errors must be a non-empty list: {body!r}"
        for error in errors:
            assert_coded_error(error)
    return body


def assert_coded_error(error: Any) -> None:
    """A GraphQL error: a message, well-formed locations and path, and `extensions.code`."""
    assert isinstance(error, dict), error
    assert isinstance(error.get("message"), str) and error["message"], error
    for location in error.get("locations", []):
        assert isinstance(location.get("line"), int) and location["line"] >= 1, error
        assert isinstance(location.get("column"), int) and location["column"] >= 1, error
    for segment in error.get("path", []):
        assert isinstance(segment, str | int) and not isinstance(segment, bool), error
    extensions = error.get("extensions")
    assert isinstance(extensions, dict), f"an error without extensions: {error!r}"
    assert isinstance(extensions.get("code"), str) and extensions["code"], (
        f"an error without extensions.code: {error!r}"
    )


#: Codes that say inboxgraph itself failed, as an error or as an update's outcome.
INTERNAL_CODES = frozenset({"INTERNAL_SERVER_ERROR", "INTERNAL"})


def assert_no_internal_failure(body: dict[str, Any]) -> None:
    """Fail when an error or any result in `data` carries an internal-failure code."""
    for error in body.get("errors") or []:
        assert error["extensions"]["code"] not in INTERNAL_CODES, f"internal failure: {error!r}"
    for found in _codes(body.get("data")):
        assert found not in INTERNAL_CODES, f"internal failure in data: {body['data']!r}"


def _codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["code"]] if isinstance(value.get("code"), str) else []
        return own + [code for item in value.values() for code in _codes(item)]
    if isinstance(value, list):
        return [code for item in value for code in _codes(item)]
    return []


def logged_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Records of errors or carrying an exception (a traceback in the log), one line each."""
    return [
        f"{record.levelname} {record.name}: {record.getMessage()}"
        + (f" ({record.exc_info[1]!r})" if record.exc_info else "")
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info
    ]
