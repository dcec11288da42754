"""This process's way to its providers: one shared HTTP client and a client per provider.

Providers in sandbox mode reach their emulator through an in-process
`httpx.ASGITransport` mounted on the same HTTP client: the adapter code is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from inboxgraph.config import Settings
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.registry import build_adapters
from inboxgraph.sandbox.registry import EMULATORS, sandbox_host
from inboxgraph.secrets import Redactor, Secret

MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20

AnyProviderClient = ProviderClient[Any, Any, Any]


class Upstreams:
    """The provider clients of this process and the HTTP client they share."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        clients: Mapping[Provider, AnyProviderClient],
    ) -> None:
        self.settings = settings
        self.http = http
        self.clients = clients

    def client(self, provider: Provider) -> AnyProviderClient:
        return self.clients[provider]

    async def aclose(self) -> None:
        await self.http.aclose()


def connect_upstreams(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> Upstreams:
    """A pooled HTTP client with timeouts and a `ProviderClient` per provider.

    `transport` replaces the network for live providers (tests use `httpx.MockTransport`).
    """
    adapters = build_adapters(settings)
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    endpoints: dict[Provider, tuple[str | None, Secret | None]] = {}
    for provider in adapters:
        provider_settings = settings.providers[provider]
        if provider_settings.is_sandbox:
            emulator = EMULATORS[provider]
            mounts[sandbox_host(provider)] = httpx.ASGITransport(app=emulator.create_app())
            endpoints[provider] = (
                sandbox_host(provider) + emulator.base_path,
                Secret(emulator.token),
            )
        else:
            endpoints[provider] = (
                provider_settings.base_url or adapters[provider].default_base_url,
                provider_settings.token,
            )
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout_seconds),
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS
        ),
        mounts=mounts,
        transport=transport,
    )
    redactor = Redactor(settings.secrets())
    clients: dict[Provider, AnyProviderClient] = {
        provider: ProviderClient(
            adapter,
            http,
            base_url=endpoints[provider][0],
            token=endpoints[provider][1],
            redactor=redactor,
            not_configured_reason=settings.providers[provider].problem,
            timeout_seconds=settings.timeout_seconds,
            max_response_bytes=settings.max_response_bytes,
        )
        for provider, adapter in adapters.items()
    }
    return Upstreams(settings, http, clients)
