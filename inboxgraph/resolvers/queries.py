"""`conversation(s)` (reads through the same per-request loaders as `_entities`) and `providers`."""

from __future__ import annotations

import asyncio

from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.domain.provider import Conversation, Provider
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.schema.providers import ProviderInfo
from inboxgraph.schema.refs import ConversationRef

MAX_REFS = 100


async def conversation(
    info: Info[RequestContext, None], ref: ConversationRef
) -> Conversation | None:
    return await info.context.read(ref.to_ref())


async def conversations(
    info: Info[RequestContext, None], refs: list[ConversationRef]
) -> list[Conversation | BaseException | None]:
    if len(refs) > MAX_REFS:
        raise GraphQLError(
            f"conversations takes at most {MAX_REFS} refs, got {len(refs)}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    outcomes = await asyncio.gather(
        *(info.context.read(ref.to_ref()) for ref in refs), return_exceptions=True
    )
    # A failed read is a null in its place plus an error at its path; the others stand.
    return list(outcomes)


def providers(info: Info[RequestContext, None]) -> list[ProviderInfo]:
    return [ProviderInfo(provider=p, mode=info.context.modes[p]) for p in Provider]
