"""The per-request context: request, services and freshly made dataloaders."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from inboxgraph.resolvers.loaders import update_loader
from inboxgraph.resolvers.reads import read_loader
from inboxgraph.schema.enums import Provider
from inboxgraph.schema.results import UpdateConversationResult
from inboxgraph.services import Services


@dataclass
class RequestContext:
    request: Request | WebSocket
    response: Response | WebSocket | None
    services: Services
    _update_loaders: dict[Provider, DataLoader[Any, UpdateConversationResult]] = field(
        default_factory=dict
    )
    _read_loaders: dict[Provider, DataLoader[Hashable, Any]] = field(default_factory=dict)

    def update_loader(self, provider: Provider) -> DataLoader[Any, UpdateConversationResult]:
        loader = self._update_loaders.get(provider)
        if loader is None:
            loader = update_loader(self.services.gateway(provider))
            self._update_loaders[provider] = loader
        return loader

    async def read(self, provider: Provider, key: Hashable) -> Any:
        """The conversation with `key`, or None when the provider does not know it.

        Raises a GraphQLError (for this conversation only) when the read fails."""
        loader = self._read_loaders.get(provider)
        if loader is None:
            loader = read_loader(self.services.gateway(provider))
            self._read_loaders[provider] = loader
        return await loader.load(key)
