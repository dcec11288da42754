"""This process's way to its providers: one shared HTTP client, and for every tenant a
client per provider, with that tenant's credentials and its own budgets.

Providers in sandbox mode reach their emulator through an in-process ASGI transport
mounted on the same HTTP client: the adapter code is the same. Each tenant has its own
emulators, so no tenant sees another's sandbox state; the faults configured for a
provider's sandbox (`INBOXGRAPH_SANDBOX_FAULTS_<P>`) sit in front of each of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx
import redis.asyncio as aioredis

from inboxgraph.config import DEFAULT_TENANT, ConfigurationError, Settings, TenantSettings
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.client import ProviderClient
from inboxgraph.providers.network import network_transport
from inboxgraph.providers.pacing import Budgets, LocalBudgets, RateLimit
from inboxgraph.providers.registry import AnyAdapter, build_adapters
from inboxgraph.providers.retries import RetryPolicy
from inboxgraph.sandbox.faults import InProcessTransport, with_faults
from inboxgraph.sandbox.registry import EMULATORS
from inboxgraph.secrets import Redactor, Secret
from inboxgraph.shared.budgets import RedisBudgets
from inboxgraph.shared.redis import redis_client

MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20

AnyProviderClient = ProviderClient[Any, Any, Any]
ProviderClients = Mapping[Provider, AnyProviderClient]


class Upstreams:
    """The provider clients of every tenant of this process, and the HTTP client they share."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        tenants: Mapping[str, ProviderClients],
        budgets: Budgets,
        redis: aioredis.Redis | None = None,
    ) -> None:
        self.settings = settings
        self.http = http
        self.tenants = tenants
        self.budgets = budgets
        #: The client of the Redis holding shared state, when one is configured.
        self.redis = redis

    @property
    def clients(self) -> ProviderClients:
        """The default tenant's provider clients."""
        return self.tenants[DEFAULT_TENANT]

    def client(self, provider: Provider, tenant: str = DEFAULT_TENANT) -> AnyProviderClient:
        return self.tenants[tenant][provider]

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def connect_upstreams(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    budgets: Budgets | None = None,
) -> Upstreams:
    """A pooled HTTP client with timeouts and, per tenant, a `ProviderClient` per provider.

    `transport` replaces the network for live providers (tests use `httpx.MockTransport`;
    by default, `providers.network`'s);
    `budgets` keeps rate-limit budgets: by default in the Redis of `settings.redis_url`,
    shared by every process using it, or else in this process's memory, divided among
    `settings.workers` processes.
    """
    adapters = build_adapters(settings)
    redis = redis_client(settings.redis_url) if settings.redis_url is not None else None
    if budgets is None:
        budgets = _default_budgets(settings, redis)
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    endpoints = {
        name: _endpoints(settings, tenant, adapters, mounts)
        for name, tenant in settings.tenants.items()
    }
    retries = RetryPolicy(
        attempts=settings.retry_attempts,
        base_seconds=settings.retry_base_seconds,
        max_seconds=settings.retry_max_seconds,
    )
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS
    )
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout_seconds),
        limits=limits,
        mounts=mounts,
        transport=transport or network_transport(limits),
    )
    redactor = Redactor(settings.secrets())
    tenants = {
        name: {
            provider: ProviderClient(
                adapter,
                http,
                base_url=endpoints[name][provider][0],
                token=endpoints[name][provider][1],
                redactor=redactor,
                not_configured_reason=tenant.providers[provider].problem,
                timeout_seconds=settings.timeout_seconds,
                max_response_bytes=settings.max_response_bytes,
                budgets=budgets,
                budget_prefix=_budget_prefix(name, provider, endpoints[name][provider][1]),
                tenant=name,
                retries=retries,
            )
            for provider, adapter in adapters.items()
        }
        for name, tenant in settings.tenants.items()
    }
    return Upstreams(settings, http, tenants, budgets, redis)


def _default_budgets(settings: Settings, redis: aioredis.Redis | None) -> Budgets:
    if redis is not None:
        return RedisBudgets(redis)
    problem = budget_sharing_problem(settings)
    if problem is not None:
        raise ConfigurationError(problem)
    return LocalBudgets(share=settings.workers)


def budget_sharing_problem(settings: Settings) -> str | None:
    """Why `settings.workers` processes without Redis cannot divide every provider's
    budget (a share smaller than one request), or None when they can."""
    if settings.redis_url is not None or settings.workers == 1:
        return None
    for name, limit in _rate_limits(settings).items():
        if limit.requests < settings.workers:
            return (
                f"{settings.workers} workers cannot divide {name}'s budget of "
                f"{limit.requests} requests per {limit.seconds:g} s among themselves: use at "
                f"most {limit.requests} workers, or set INBOXGRAPH_REDIS_URL so that they "
                "share it"
            )
    return None


def divided_budgets(settings: Settings) -> list[str]:
    """Each rate-limited provider's share of its budget per worker, as told to operators."""
    return [
        f"{name} {limit.requests // settings.workers} of {limit.requests} requests per "
        f"{limit.seconds:g} s"
        for name, limit in _rate_limits(settings).items()
    ]


def _rate_limits(settings: Settings) -> dict[str, RateLimit]:
    return {
        adapter.display_name: adapter.rate_limit
        for adapter in build_adapters(settings).values()
        if adapter.rate_limit is not None
    }


def _endpoints(
    process: Settings,
    tenant: TenantSettings,
    adapters: Mapping[Provider, AnyAdapter],
    mounts: dict[str, httpx.AsyncBaseTransport],
) -> dict[Provider, tuple[str | None, Secret | None]]:
    """Where each provider is reached for `tenant`, and with which credential; sandboxed
    providers get an emulator of their own, mounted on `mounts`."""
    endpoints: dict[Provider, tuple[str | None, Secret | None]] = {}
    for provider, adapter in adapters.items():
        settings = tenant.providers[provider]
        if settings.is_sandbox:
            emulator = EMULATORS[provider]
            host = sandbox_host(tenant.name, provider)
            app = with_faults(
                emulator.create_app(),
                process.sandbox_faults.get(provider),
                seed=process.sandbox_faults_seed,
                name=provider.name.lower(),
            )
            mounts[host] = InProcessTransport(app=app)
            endpoints[provider] = (host + emulator.base_path, Secret(emulator.token))
        else:
            endpoints[provider] = (settings.base_url or adapter.default_base_url, settings.token)
    return endpoints


def sandbox_host(tenant: str, provider: Provider) -> str:
    """The in-process origin at which a tenant's emulator of a provider is mounted."""
    prefix = "" if tenant == DEFAULT_TENANT else f"{tenant}."
    return f"http://{prefix}{provider.name.lower()}.sandbox"


def _budget_prefix(tenant: str, provider: Provider, token: Secret | None) -> str:
    """Names one provider account in the budgets: the tenant, the provider, and a
    fingerprint of the credential (never the credential itself)."""
    secret = token.reveal() if token is not None else ""
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:16]
    return f"{tenant}:{provider.name}:{fingerprint}:"
