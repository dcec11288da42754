"""Per provider: one valid update and the provider's documented error body for a status.

Used by the error-class matrix in test_errors.py, which runs every case through the
whole app against an `httpx.MockTransport` standing in for the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inboxgraph.schema.enums import Provider


@dataclass(frozen=True)
class ProviderCase:
    valid_input: dict[str, Any]
    error_body: Callable[[int], Any]


def _puffle_error(status: int) -> Any:
    return {"error": {401: "Unauthorized", 404: "Conversation not found"}.get(status, "Error")}


PROVIDER_CASES: dict[Provider, ProviderCase] = {
    Provider.PUFFLE: ProviderCase(
        valid_input={
            "puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "status": "ARCHIVED"}
        },
        error_body=_puffle_error,
    ),
    # PLACEHOLDER-AYRSHARE-CASE
    # PLACEHOLDER-HIGHLEVEL-CASE
    # PLACEHOLDER-VCITA-CASE
    # PLACEHOLDER-EBAY-CASE
}
