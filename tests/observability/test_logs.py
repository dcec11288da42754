"""JSON log lines: one object a line, the request id, a line's own fields, and no
configured credential anywhere in it, tracebacks included."""

from __future__ import annotations

import json
import logging
import sys

from inboxgraph.observability.logs import JsonFormatter
from inboxgraph.request_scope import RequestIdLogFilter, current_request_id
from inboxgraph.secrets import MASK, Redactor

SECRET = "tok-9f8e7d6c-secret"


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("inboxgraph.test", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_with_the_request_id_and_its_fields() -> None:
    token = current_request_id.set("req-json-1")
    try:
        line = record("POST %s\nnext", "/graphql", fields={"status": 200, "path": "/graphql"})
        RequestIdLogFilter().filter(line)
        written = JsonFormatter(Redactor([])).format(line)
    finally:
        current_request_id.reset(token)
    assert "\n" not in written
    parsed = json.loads(written)
    assert parsed.pop("time").endswith("Z")
    assert parsed == {
        "level": "INFO",
        "logger": "inboxgraph.test",
        "message": "POST /graphql\nnext",
        "request_id": "req-json-1",
        "status": 200,
        "path": "/graphql",
    }


def test_fields_cannot_replace_the_lines_own_keys() -> None:
    parsed = json.loads(
        JsonFormatter(Redactor([])).format(record("m", fields={"level": "FAKE", "x": 1}))
    )
    assert (parsed["level"], parsed["x"]) == ("INFO", 1)


def test_every_text_is_redacted_message_fields_and_traceback() -> None:
    try:
        raise ValueError(f"refused {SECRET}")
    except ValueError:
        failing = record(f"failed with {SECRET}", fields={"path": f"/x/{SECRET}"})
        failing.exc_info = sys.exc_info()
    written = JsonFormatter(Redactor([SECRET])).format(failing)
    assert SECRET not in written
    parsed = json.loads(written)
    assert parsed["message"] == f"failed with {MASK}"
    assert parsed["path"] == f"/x/{MASK}"
    assert f"ValueError: refused {MASK}" in parsed["exception"]


def test_trace_ids_are_added_when_known() -> None:
    traced = JsonFormatter(Redactor([]), trace_ids=lambda: ("a" * 32, "b" * 16))
    untraced = JsonFormatter(Redactor([]), trace_ids=lambda: None)
    assert json.loads(traced.format(record("m")))["trace_id"] == "a" * 32
    assert "trace_id" not in json.loads(untraced.format(record("m")))
