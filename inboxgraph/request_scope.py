"""What the request being served carries down to every layer: its id and its deadline."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
#: When the request being served must be answered (`time.monotonic()`), if it must.
current_deadline: ContextVar[float | None] = ContextVar("current_deadline", default=None)


def seconds_left() -> float | None:
    """Time left before the current request's deadline, or None without one."""
    deadline = current_deadline.get()
    return None if deadline is None else deadline - time.monotonic()


class RequestIdLogFilter(logging.Filter):
    """Adds `record.request_id` (the request being served, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
