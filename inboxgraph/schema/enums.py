"""The domain's enums as GraphQL enums, with their descriptions."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry

from inboxgraph.domain import outcomes, provider


def graphql_enum(
    enum: type[Enum], *, description: str | None = None, values: Mapping[str, str] | None = None
) -> None:
    """Register a plain enum with Strawberry, describing its values by member name."""
    strawberry.enum(enum, description=description)
    for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = (values or {}).get(value.name)


Provider = provider.Provider
graphql_enum(Provider)
ProviderMode = provider.ProviderMode
graphql_enum(
    ProviderMode,
    description="How inboxgraph reaches a provider.",
    values={
        "LIVE": "The provider's real API, with configured credentials.",
        "SANDBOX": "The built-in emulator of the provider's documented API.",
        "NOT_CONFIGURED": "Unavailable: configuration is missing or incomplete.",
    },
)
UpdateErrorCode = outcomes.UpdateErrorCode
graphql_enum(
    UpdateErrorCode,
    values={
        "INVALID_INPUT": "The input breaks a documented rule; nothing was sent to the provider.",
        "NOT_FOUND": (
            "The provider does not know the conversation/message, or it is not the caller's."
        ),
        "UNAUTHENTICATED": "The provider rejected the credentials.",
        "FORBIDDEN": "The provider refused the operation for these credentials.",
        "RATE_LIMITED": "The provider (or the client-side pacing) says: too many requests.",
        "UPSTREAM_ERROR": "The provider answered with an error not covered above.",
        "UPSTREAM_UNAVAILABLE": "The provider could not be reached or answered 5xx.",
        "TIMEOUT": "The provider did not answer in time.",
        "NOT_CONFIGURED": "No credentials/endpoint are configured for this provider.",
        "UNCONFIRMED": (
            "The provider answered success, but not in a way inboxgraph could read: the "
            "update may have been applied. Read the conversation before sending it again."
        ),
        "UNSUPPORTED": "The provider has no way to do this action; nothing was sent.",
        "CANCELLED": "The job was cancelled before this item was sent; nothing was sent.",
        "INTERRUPTED": (
            "The worker sending this item stopped before its answer was recorded, and the "
            "update is not safe to send twice: it may have been applied. Read the "
            "conversation before sending it again."
        ),
        "STATE_UNAVAILABLE": (
            "inboxgraph could not reach the state its processes share (Redis); nothing was "
            "sent. Retry."
        ),
        "INTERNAL": (
            "inboxgraph failed unexpectedly while handling this item; the others are "
            "unaffected. The message carries the request id to report."
        ),
    },
)
