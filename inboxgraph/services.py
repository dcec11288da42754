"""Process-wide services: the shared HTTP client and one gateway per provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from inboxgraph.config import Settings
from inboxgraph.providers.gateway import ProviderGateway
from inboxgraph.providers.registry import build_adapters
from inboxgraph.redaction import Redactor
from inboxgraph.sandbox.registry import EMULATORS, sandbox_host
from inboxgraph.schema.enums import Provider

MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20


class Services:
    """Everything a request needs that outlives the request."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        gateways: dict[Provider, ProviderGateway[Any, Any]],
    ) -> None:
        self.settings = settings
        self.client = client
        self.gateways = gateways

    def gateway(self, provider: Provider) -> ProviderGateway[Any, Any]:
        return self.gateways[provider]

    async def aclose(self) -> None:
        await self.client.aclose()


def build_services(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    """One shared `httpx.AsyncClient` (pooled, with timeouts) and a gateway per provider.

    Providers in sandbox mode reach their emulator through an in-process
    `httpx.ASGITransport` mounted on the same client: the adapter code is the same.
    `transport` replaces the network for live providers (tests use `httpx.MockTransport`).
    """
    adapters = build_adapters(settings)
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    endpoints: dict[Provider, tuple[str, str | None]] = {}
    for provider, adapter in adapters.items():
        provider_settings = settings.providers[provider]
        if provider_settings.is_sandbox:
            emulator = EMULATORS[provider]
            mounts[sandbox_host(provider)] = httpx.ASGITransport(app=emulator.create_app())
            base_url = sandbox_host(provider) + urlsplit(adapter.default_base_url).path
            endpoints[provider] = (base_url, emulator.token)
        else:
            token = provider_settings.token
            endpoints[provider] = (
                provider_settings.base_url or adapter.default_base_url,
                token.reveal() if token is not None else None,
            )
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout_seconds),
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS
        ),
        mounts=mounts,
        transport=transport,
    )
    redactor = Redactor(settings.secrets())
    gateways: dict[Provider, ProviderGateway[Any, Any]] = {
        provider: ProviderGateway(
            adapter,
            client,
            base_url=endpoints[provider][0],
            token=endpoints[provider][1],
            redactor=redactor,
            not_configured_reason=settings.providers[provider].problem,
        )
        for provider, adapter in adapters.items()
    }
    return Services(settings, client, gateways)
