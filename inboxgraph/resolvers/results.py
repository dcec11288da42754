"""Turning provider outcomes into the mutation's result union."""

from __future__ import annotations

from inboxgraph.providers.errors import ProviderError
from inboxgraph.schema.enums import Provider
from inboxgraph.schema.results import UpdateFailed


def update_failed(provider: Provider, error: ProviderError) -> UpdateFailed:
    return UpdateFailed(
        provider=provider,
        code=error.code,
        message=error.message,
        field=error.field,
        provider_status=error.provider_status,
        provider_code=error.provider_code,
        retryable=error.retryable,
    )
