"""Log lines as JSON objects, one a line, and the notes a request's own line carries.

Every line has `time` (UTC), `level`, `logger`, `message` and `request_id` ("-" outside
a request); a line may add fields of its own (`extra={"fields": {...}}`), and
`trace_id`/`span_id` when tracing is on. Every text, fields and tracebacks included,
passes the redactor, so no configured credential is ever written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from inboxgraph.request_scope import current_request_id
from inboxgraph.secrets import Redactor

#: A line's time, to the second, in UTC (milliseconds and "Z" follow).
_SECONDS = "%Y-%m-%dT%H:%M:%S"
#: The ids of the current trace and span, as hex, or None outside any span.
TraceIds = Callable[[], tuple[str, str] | None]


@dataclass
class RequestNotes:
    """What a request's log line tells beyond its HTTP facts, noted as it becomes known."""

    operation: str | None = None
    tenant: str | None = None


current_request_notes: ContextVar[RequestNotes | None] = ContextVar(
    "current_request_notes", default=None
)


def note_operation(name: str) -> None:
    """The GraphQL operation the current request runs, for its log line."""
    notes = current_request_notes.get()
    if notes is not None:
        notes.operation = name


def note_tenant(tenant: str) -> None:
    """The tenant the current request acts as, for its log line."""
    notes = current_request_notes.get()
    if notes is not None:
        notes.tenant = tenant


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON, every text redacted."""

    def __init__(self, redactor: Redactor, trace_ids: TraceIds | None = None) -> None:
        super().__init__()
        self._redactor = redactor
        self._trace_ids = trace_ids

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": f"{time.strftime(_SECONDS, time.gmtime(record.created))}."
            f"{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": self._redactor.redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for name, value in fields.items():
                if name not in line:
                    line[name] = self._redactor.redact(value) if isinstance(value, str) else value
        if self._trace_ids is not None and (ids := self._trace_ids()) is not None:
            line["trace_id"], line["span_id"] = ids
        if record.exc_info:
            line["exception"] = self._redactor.redact(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = self._redactor.redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)
