"""The per-request context: request, services and freshly made dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from inboxgraph.resolvers.loaders import update_loader
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

    def update_loader(self, provider: Provider) -> DataLoader[Any, UpdateConversationResult]:
        loader = self._update_loaders.get(provider)
        if loader is None:
            loader = update_loader(self.services.gateway(provider))
            self._update_loaders[provider] = loader
        return loader
