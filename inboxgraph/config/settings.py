"""Configuration from environment variables.

Per provider `P` in AYRSHARE, PUFFLE, HIGHLEVEL, VCITA, EBAY:

- `INBOXGRAPH_<P>_TOKEN`: the credential. When set, the provider talks to its real API.
- `INBOXGRAPH_<P>_BASE_URL`: overrides the provider's documented base URL.

`INBOXGRAPH_API_TOKEN`, when set, is the bearer token callers of /graphql must present
(several, comma-separated, are all accepted: rotate by adding the new one first).
`INBOXGRAPH_SANDBOX` is `auto` (default: an unconfigured provider runs in sandbox mode)
or `off` (an unconfigured provider answers NOT_CONFIGURED). The `Limits` below each have
a variable of their own; README's "Security and limits" lists them.
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
class Limits:
    """What one request may cost. Each is refused before anything runs when exceeded."""

    #: Request body size, enforced while it streams in (413 past it).
    max_body_bytes: int = 1_048_576
    #: Lexical tokens in a GraphQL document, enforced while parsing.
    max_tokens: int = 10_000
    #: Nesting of fields, fragments expanded.
    max_depth: int = 12
    #: Aliased fields, fragments expanded.
    max_aliases: int = 100
    #: Fields, fragments expanded.
    max_fields: int = 2_000
    #: Provider calls one request can cause: update inputs across all mutation fields
    #: (aliases included), refs across `conversations`/`conversation` and `_entities`.
    max_upstream_calls: int = 100
    #: A GraphQL request's whole run, pacing waits and retries included.
    request_timeout_seconds: float = 60.0
    introspection: bool = True


@dataclass(frozen=True)
class Settings:
    providers: Mapping[Provider, ProviderSettings]
    #: The total deadline of one upstream call: connect, send and the whole answer.
    timeout_seconds: float = 10.0
    #: The largest upstream answer read; a longer one is cut off and reported.
    max_response_bytes: int = 1_048_576
    cors_origins: tuple[str, ...] = ()
    highlevel_forbidden_retry_seconds: float = 10.0
    api_tokens: tuple[Secret, ...] = ()
    limits: Limits = Limits()

    def secrets(self) -> list[str]:
        """Every configured credential value, for redaction."""
        tokens = [s.token for s in self.providers.values() if s.token is not None]
        return [token.reveal() for token in (*tokens, *self.api_tokens)]


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


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in {"on", "off"}:
        raise ConfigurationError(f"{name} must be 'on' or 'off', got {raw!r}")
    return raw == "on"


def _list(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in environ.get(name, "").split(",") if item.strip())


def load_limits(env: Mapping[str, str]) -> Limits:
    defaults = Limits()
    return Limits(
        max_body_bytes=_positive_int(env, "INBOXGRAPH_MAX_BODY_BYTES", defaults.max_body_bytes),
        max_tokens=_positive_int(env, "INBOXGRAPH_MAX_TOKENS", defaults.max_tokens),
        max_depth=_positive_int(env, "INBOXGRAPH_MAX_DEPTH", defaults.max_depth),
        max_aliases=_positive_int(env, "INBOXGRAPH_MAX_ALIASES", defaults.max_aliases),
        max_fields=_positive_int(env, "INBOXGRAPH_MAX_FIELDS", defaults.max_fields),
        max_upstream_calls=_positive_int(
            env, "INBOXGRAPH_MAX_UPSTREAM_CALLS", defaults.max_upstream_calls
        ),
        request_timeout_seconds=_float(
            env, "INBOXGRAPH_REQUEST_TIMEOUT_SECONDS", defaults.request_timeout_seconds
        ),
        introspection=_switch(env, "INBOXGRAPH_INTROSPECTION", defaults.introspection),
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    sandbox = env.get("INBOXGRAPH_SANDBOX", "auto").strip().lower() or "auto"
    if sandbox not in {"auto", "off"}:
        raise ConfigurationError(f"INBOXGRAPH_SANDBOX must be 'auto' or 'off', got {sandbox!r}")
    return Settings(
        providers={p: _provider_settings(p, env, sandbox == "auto") for p in Provider},
        timeout_seconds=_float(env, "INBOXGRAPH_TIMEOUT_SECONDS", 10.0),
        max_response_bytes=_positive_int(env, "INBOXGRAPH_MAX_RESPONSE_BYTES", 1_048_576),
        cors_origins=_list(env, "INBOXGRAPH_CORS_ORIGINS"),
        highlevel_forbidden_retry_seconds=_float(
            env, "INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS", 10.0
        ),
        api_tokens=tuple(Secret(token) for token in _list(env, "INBOXGRAPH_API_TOKEN")),
        limits=load_limits(env),
    )
