"""Reading conversations: one cached loader per provider and request."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from aiodataloader import DataLoader
from graphql import GraphQLError

from inboxgraph.providers.errors import ProviderError, ReadUnsupported
from inboxgraph.providers.gateway import ProviderGateway


def read_loader(gateway: ProviderGateway[Any, Any]) -> DataLoader[Hashable, Any]:
    """All reads of one provider in one tick become one `gateway.read` call; identical keys
    collapse to one, and a key read once in a request is not read again."""

    async def batch(keys: list[Hashable]) -> list[Any]:
        try:
            found = await gateway.read(list(dict.fromkeys(keys)))
        except ProviderError as error:
            return [read_error(gateway, error)] * len(keys)
        return [found.get(key) for key in keys]

    return DataLoader(batch)


def read_error(gateway: ProviderGateway[Any, Any], error: ProviderError) -> GraphQLError:
    """A GraphQL error carrying the same facts an UpdateFailed would."""
    code = "READ_UNSUPPORTED" if isinstance(error, ReadUnsupported) else error.code.name
    return GraphQLError(
        error.message,
        extensions={
            "code": code,
            "provider": gateway.adapter.provider.name,
            "providerStatus": error.provider_status,
            "providerCode": error.provider_code,
            "retryable": error.retryable,
        },
    )
