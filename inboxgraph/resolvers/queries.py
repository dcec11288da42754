"""`conversation` and `conversations`: reads through the same per-request loaders as `_entities`."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.resolvers.context import RequestContext
from inboxgraph.schema.refs import ConversationRef

MAX_REFS = 100


async def conversation(info: Info[RequestContext, None], ref: ConversationRef) -> Any:
    provider, key = ref.key()
    return await info.context.read(provider, key)


async def conversations(info: Info[RequestContext, None], refs: list[ConversationRef]) -> list[Any]:
    if len(refs) > MAX_REFS:
        raise GraphQLError(f"conversations takes at most {MAX_REFS} refs, got {len(refs)}")
    outcomes = await asyncio.gather(
        *(info.context.read(*ref.key()) for ref in refs), return_exceptions=True
    )
    # A failed read is a null in its place plus an error at its path; the others stand.
    return list(outcomes)
