"""Reading conversations: one cached loader per provider and request."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader
from graphql import GraphQLError

from inboxgraph.domain.provider import Conversation, ConversationRef
from inboxgraph.observability import metrics
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.errors import ProviderError, ReadUnsupported


def read_loader(
    client: ProviderClient[Any, Any, Any],
) -> DataLoader[ConversationRef, Conversation | None]:
    """All reads of one provider in one tick become one `client.read` call; equal refs
    collapse to one, and a ref read once in a request is not read again."""

    provider = client.adapter.provider.name

    async def batch(refs: list[ConversationRef]) -> list[Conversation | GraphQLError | None]:
        metrics.loader_batch(provider, "read", len(refs))
        try:
            found = await client.read(list(dict.fromkeys(refs)))
        except ProviderError as error:
            return [read_error(client, error)] * len(refs)
        return [found.get(ref) for ref in refs]

    return DataLoader(batch)  # type: ignore[arg-type]


def read_error(client: ProviderClient[Any, Any, Any], error: ProviderError) -> GraphQLError:
    """A GraphQL error carrying the same facts an UpdateFailed would."""
    code = "READ_UNSUPPORTED" if isinstance(error, ReadUnsupported) else error.code.name
    return GraphQLError(
        error.message,
        extensions={
            "code": code,
            "provider": client.adapter.provider.name,
            "providerStatus": error.provider_status,
            "providerCode": error.provider_code,
            "retryable": error.retryable,
        },
    )
