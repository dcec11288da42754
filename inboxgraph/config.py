"""Configuration from environment variables.

Per provider `P` in AYRSHARE, PUFFLE, HIGHLEVEL, VCITA, EBAY:

- `INBOXGRAPH_<P>_TOKEN`: the credential. When set, the provider talks to its real API.
- `INBOXGRAPH_<P>_BASE_URL`: overrides the provider's documented base URL.

`INBOXGRAPH_API_TOKEN`, when set, is the bearer token callers of /graphql must present.
`INBOXGRAPH_SANDBOX` is `auto` (default: an unconfigured provider runs in sandbox mode)
or `off` (an unconfigured provider answers NOT_CONFIGURED).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from inboxgraph.domain.provider import Provider, ProviderMode
from inboxgraph.secrets import Secret


class ConfigurationError(ValueError):
    """The environment describes an impossible configuration."""


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


@dataclass(frozen=True)
class Settings:
    providers: Mapping[Provider, ProviderSettings]
    timeout_seconds: float = 10.0
    cors_origins: tuple[str, ...] = ()
    highlevel_forbidden_retry_seconds: float = 10.0
    api_token: Secret | None = None

    def secrets(self) -> list[str]:
        """Every configured credential value, for redaction."""
        tokens = [s.token for s in self.providers.values() if s.token is not None]
        if self.api_token is not None:
            tokens.append(self.api_token)
        return [token.reveal() for token in tokens]


def _env_name(provider: Provider, suffix: str) -> str:
    return f"INBOXGRAPH_{provider.name}_{suffix}"


def _provider_settings(
    provider: Provider, environ: Mapping[str, str], sandbox_allowed: bool
) -> ProviderSettings:
    token = environ.get(_env_name(provider, "TOKEN"), "").strip()
    base_url = environ.get(_env_name(provider, "BASE_URL"), "").strip() or None
    if token:
        return ProviderSettings(provider, ProviderMode.LIVE, base_url=base_url, token=Secret(token))
    if base_url is not None:
        return ProviderSettings(
            provider,
            ProviderMode.NOT_CONFIGURED,
            problem=(
                f"{_env_name(provider, 'BASE_URL')} is set but {_env_name(provider, 'TOKEN')} "
                "is not"
            ),
        )
    if sandbox_allowed:
        return ProviderSettings(provider, ProviderMode.SANDBOX)
    return ProviderSettings(
        provider,
        ProviderMode.NOT_CONFIGURED,
        problem=f"{_env_name(provider, 'TOKEN')} is not set and INBOXGRAPH_SANDBOX is off",
    )


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    sandbox = env.get("INBOXGRAPH_SANDBOX", "auto").strip().lower() or "auto"
    if sandbox not in {"auto", "off"}:
        raise ConfigurationError(f"INBOXGRAPH_SANDBOX must be 'auto' or 'off', got {sandbox!r}")
    api_token = env.get("INBOXGRAPH_API_TOKEN", "").strip()
    origins = tuple(
        o.strip() for o in env.get("INBOXGRAPH_CORS_ORIGINS", "").split(",") if o.strip()
    )
    return Settings(
        providers={p: _provider_settings(p, env, sandbox == "auto") for p in Provider},
        timeout_seconds=_float(env, "INBOXGRAPH_TIMEOUT_SECONDS", 10.0),
        cors_origins=origins,
        highlevel_forbidden_retry_seconds=_float(
            env, "INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS", 10.0
        ),
        api_token=Secret(api_token) if api_token else None,
    )
