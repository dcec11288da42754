"""The per-request context: the request, the caller's tenant, its provider clients, jobs and
idempotency records, and fresh dataloaders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from inboxgraph.config import Limits
from inboxgraph.domain.jobs import BulkJobItem
from inboxgraph.domain.outcomes import UpdateOutcome
from inboxgraph.domain.provider import (
    Conversation,
    ConversationRef,
    ConversationUpdate,
    Provider,
    ProviderMode,
)
from inboxgraph.jobs.service import Jobs
from inboxgraph.providers.client import ProviderClient
from inboxgraph.resolvers.read_loader import read_loader
from inboxgraph.resolvers.update_loader import update_loader
from inboxgraph.shared.idempotency import IdempotencyStore

AnyProviderClient = ProviderClient[Any, Any, Any]


@dataclass
class RequestContext:
    request: Request | WebSocket
    response: Response | WebSocket | None
    #: The tenant the caller acts as: its credentials, budgets, jobs and records.
    tenant: str
    clients: Mapping[Provider, AnyProviderClient]
    modes: Mapping[Provider, ProviderMode]
    jobs: Jobs
    idempotency: IdempotencyStore
    limits: Limits
    #: A websocket's connection_init payload (Strawberry sets it).
    connection_params: dict[str, object] | None = None
    _update_loaders: dict[Provider, DataLoader[ConversationUpdate, UpdateOutcome]] = field(
        default_factory=dict
    )
    _read_loaders: dict[Provider, DataLoader[ConversationRef, Conversation | None]] = field(
        default_factory=dict
    )

    def update_loader(self, provider: Provider) -> DataLoader[ConversationUpdate, UpdateOutcome]:
        loader = self._update_loaders.get(provider)
        if loader is None:
            loader = self._update_loaders[provider] = update_loader(self.clients[provider])
        return loader

    async def read(self, ref: ConversationRef) -> Conversation | None:
        """The conversation `ref` names, or None when its provider does not know it.

        Raises a GraphQLError (for this conversation only) when the read fails."""
        loader = self._read_loaders.get(ref.provider)
        if loader is None:
            loader = self._read_loaders[ref.provider] = read_loader(self.clients[ref.provider])
        return await loader.load(ref)

    async def job_results(self, job_id: str, offset: int, limit: int) -> list[BulkJobItem]:
        """The results of the caller's job `job_id`, items offset..offset+limit-1."""
        return await self.jobs.results(self.tenant, job_id, offset, limit)
