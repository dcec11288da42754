"""How a tenant reaches one provider: its mode, endpoint and credential."""

from __future__ import annotations

from dataclasses import dataclass

from inboxgraph.domain.provider import Provider, ProviderMode
from inboxgraph.secrets import Secret


@dataclass(frozen=True)
class ProviderSettings:
    provider: Provider
    mode: ProviderMode
    base_url: str | None = None
    token: Secret | None = None
    problem: str | None = None  # why a provider is not configured

    @property
    def is_sandbox(self) -> bool:
        return self.mode is ProviderMode.SANDBOX


def provider_settings(
    provider: Provider,
    *,
    token: str,
    base_url: str | None,
    sandbox_allowed: bool,
    token_name: str,
    base_url_name: str,
    sandbox_name: str,
) -> ProviderSettings:
    """Live with a token; otherwise the sandbox when allowed, else not configured (a base
    URL without a token is never silently sandboxed). The names say where each value is
    configured, for the reason a provider is not configured."""
    if token:
        return ProviderSettings(provider, ProviderMode.LIVE, base_url=base_url, token=Secret(token))
    if base_url is not None:
        return ProviderSettings(
            provider,
            ProviderMode.NOT_CONFIGURED,
            problem=f"{base_url_name} is set but {token_name} is not",
        )
    if sandbox_allowed:
        return ProviderSettings(provider, ProviderMode.SANDBOX)
    return ProviderSettings(
        provider,
        ProviderMode.NOT_CONFIGURED,
        problem=f"{token_name} is not set and {sandbox_name} is off",
    )
