"""The id of the request being served, for log lines and error messages."""

from __future__ import annotations

import logging
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


class RequestIdLogFilter(logging.Filter):
    """Adds `record.request_id` (the request being served, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
