"""Configuration from environment variables.

Per provider `P` in AYRSHARE, PUFFLE, HIGHLEVEL, VCITA, EBAY:

- `INBOXGRAPH_<P>_TOKEN`: the credential. When set, the provider talks to its real API.
- `INBOXGRAPH_<P>_BASE_URL`: overrides the provider's documented base URL.

`INBOXGRAPH_API_TOKEN`, when set, is the bearer token callers of /graphql must present
(several, comma-separated, are all accepted: rotate by adding the new one first).
`INBOXGRAPH_SANDBOX` is `auto` (default: an unconfigured provider runs in sandbox mode)
or `off` (an unconfigured provider answers NOT_CONFIGURED). These describe the tenant
named `default`; `INBOXGRAPH_TENANTS_FILE` adds more (see `config.tenants`). The `Limits`
each have a variable of their own; README's "Security and limits" lists them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from inboxgraph.config import values
from inboxgraph.config.faults import FaultPlan, load_fault_plans, load_fault_seed
from inboxgraph.config.providers import ProviderSettings, provider_settings
from inboxgraph.config.tenants import DEFAULT_TENANT, TenantSettings, load_tenants_file
from inboxgraph.config.values import ConfigurationError
from inboxgraph.domain.provider import Provider
from inboxgraph.secrets import Secret

#: Python's own is 700. A request allocates thousands of objects, nearly all freed by
#: reference counting as it ends; collecting every 700 cost a serving process several
#: percent of its CPU (benchmarks/http.py: 50,000 spends about 5% less per request).
DEFAULT_GC_THRESHOLD = 50_000


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
    #: Items one `startBulkUpdate` may queue (not counted in `max_upstream_calls`).
    max_job_items: int = 10_000


@dataclass(frozen=True)
class JobSettings:
    """How long bulk jobs and idempotency records are kept, and how a dead worker's job is
    taken over."""

    #: A finished job stays readable this long.
    retention_seconds: float = 86_400.0
    #: A repeated `idempotencyKey` is answered from its record this long.
    idempotency_seconds: float = 86_400.0
    #: A worker that has not renewed its hold on a part of a running job for this long is
    #: presumed gone, and another worker takes the part over.
    lease_seconds: float = 10.0


@dataclass(frozen=True)
class JwtSettings:
    """Callers may present a JWT instead of an API key: verified with an HS256 secret or the
    RS256 keys of a JWKS file, its issuer, audience and expiry checked; its tenant claim
    names the tenant it acts as."""

    hs256_secret: Secret | None = None
    jwks_file: str | None = None
    issuer: str | None = None
    audience: str | None = None
    tenant_claim: str = "tenant"

    @property
    def enabled(self) -> bool:
        return self.hs256_secret is not None or self.jwks_file is not None


@dataclass(frozen=True)
class Settings:
    #: The default tenant's providers (the INBOXGRAPH_<P>_* variables).
    providers: Mapping[Provider, ProviderSettings]
    #: The total deadline of one upstream call: connect, send and the whole answer.
    timeout_seconds: float = 10.0
    #: The largest upstream answer read; a longer one is cut off and reported.
    max_response_bytes: int = 1_048_576
    cors_origins: tuple[str, ...] = ()
    highlevel_forbidden_retry_seconds: float = 10.0
    #: The default tenant's callers (INBOXGRAPH_API_TOKEN).
    api_tokens: tuple[Secret, ...] = ()
    limits: Limits = Limits()
    #: Tenants besides the default one (INBOXGRAPH_TENANTS_FILE).
    other_tenants: Mapping[str, TenantSettings] = field(default_factory=dict)
    jwt: JwtSettings = JwtSettings()
    #: Where state shared between processes lives; None keeps it in this process.
    redis_url: Secret | None = None
    #: Worker processes serving together (`inboxgraph serve --workers N`).
    workers: int = 1
    #: OpenTelemetry tracing (INBOXGRAPH_TRACING; needs the `otel` extra).
    tracing: bool = False
    #: The least severe log lines written (INBOXGRAPH_LOG_LEVEL).
    log_level: str = "INFO"
    jobs: JobSettings = JobSettings()
    #: Upstream calls in all for one request safe to repeat (1: no retries), and the
    #: backoff before each retry: full jitter under base * 2**n, capped.
    retry_attempts: int = 3
    retry_base_seconds: float = 0.25
    retry_max_seconds: float = 2.0
    #: Faults the sandbox's emulators inject (INBOXGRAPH_SANDBOX_FAULTS_<P>), and the
    #: seed that makes them repeatable.
    sandbox_faults: Mapping[Provider, FaultPlan] = field(default_factory=dict)
    sandbox_faults_seed: int | None = None
    #: The garbage collector's young-generation threshold in a serving process
    #: (INBOXGRAPH_GC_THRESHOLD): allocations, less deallocations, between collections.
    gc_threshold: int = DEFAULT_GC_THRESHOLD

    @property
    def tenants(self) -> dict[str, TenantSettings]:
        """Every tenant, the default one first."""
        default = TenantSettings(DEFAULT_TENANT, self.providers, self.api_tokens)
        return {DEFAULT_TENANT: default, **self.other_tenants}

    @property
    def authentication_required(self) -> bool:
        """Callers must authenticate once any API key or JWT verification is configured."""
        return self.jwt.enabled or any(t.api_keys for t in self.tenants.values())

    def secrets(self) -> list[str]:
        """Every configured credential value, for redaction."""
        found: list[Secret] = []
        for tenant in self.tenants.values():
            found += [s.token for s in tenant.providers.values() if s.token is not None]
            found += tenant.api_keys
        found += [s for s in (self.jwt.hs256_secret, self.redis_url) if s is not None]
        revealed = [secret.reveal() for secret in found]
        if self.redis_url is not None:
            # The URL's password alone too, as typed and as sent.
            password = urlsplit(self.redis_url.reveal()).password
            revealed += [password, unquote(password)] if password else []
        return revealed


def _env_name(provider: Provider, suffix: str) -> str:
    return f"INBOXGRAPH_{provider.name}_{suffix}"


def load_limits(env: Mapping[str, str]) -> Limits:
    defaults = Limits()
    return Limits(
        max_body_bytes=values.positive_int(
            env, "INBOXGRAPH_MAX_BODY_BYTES", defaults.max_body_bytes
        ),
        max_tokens=values.positive_int(env, "INBOXGRAPH_MAX_TOKENS", defaults.max_tokens),
        max_depth=values.positive_int(env, "INBOXGRAPH_MAX_DEPTH", defaults.max_depth),
        max_aliases=values.positive_int(env, "INBOXGRAPH_MAX_ALIASES", defaults.max_aliases),
        max_fields=values.positive_int(env, "INBOXGRAPH_MAX_FIELDS", defaults.max_fields),
        max_upstream_calls=values.positive_int(
            env, "INBOXGRAPH_MAX_UPSTREAM_CALLS", defaults.max_upstream_calls
        ),
        request_timeout_seconds=values.seconds(
            env, "INBOXGRAPH_REQUEST_TIMEOUT_SECONDS", defaults.request_timeout_seconds
        ),
        introspection=values.switch(env, "INBOXGRAPH_INTROSPECTION", defaults.introspection),
        max_job_items=values.positive_int(env, "INBOXGRAPH_MAX_JOB_ITEMS", defaults.max_job_items),
    )


def load_jobs(env: Mapping[str, str]) -> JobSettings:
    defaults = JobSettings()
    lease = values.seconds(env, "INBOXGRAPH_JOB_LEASE_SECONDS", defaults.lease_seconds)
    if lease <= 0:
        raise ConfigurationError(f"INBOXGRAPH_JOB_LEASE_SECONDS must be more than 0, got {lease:g}")
    return JobSettings(
        retention_seconds=values.seconds(
            env, "INBOXGRAPH_JOB_RETENTION_SECONDS", defaults.retention_seconds
        ),
        idempotency_seconds=values.seconds(
            env, "INBOXGRAPH_IDEMPOTENCY_SECONDS", defaults.idempotency_seconds
        ),
        lease_seconds=lease,
    )


def load_jwt(env: Mapping[str, str]) -> JwtSettings:
    secret = env.get("INBOXGRAPH_JWT_HS256_SECRET", "").strip()
    jwks_file = env.get("INBOXGRAPH_JWT_JWKS_FILE", "").strip() or None
    if secret and jwks_file:
        raise ConfigurationError(
            "INBOXGRAPH_JWT_HS256_SECRET and INBOXGRAPH_JWT_JWKS_FILE are both set: give one"
        )
    jwt = JwtSettings(
        hs256_secret=Secret(secret) if secret else None,
        jwks_file=jwks_file,
        issuer=env.get("INBOXGRAPH_JWT_ISSUER", "").strip() or None,
        audience=env.get("INBOXGRAPH_JWT_AUDIENCE", "").strip() or None,
        tenant_claim=env.get("INBOXGRAPH_JWT_TENANT_CLAIM", "").strip() or "tenant",
    )
    if jwt.enabled and (jwt.issuer is None or jwt.audience is None):
        raise ConfigurationError(
            "JWT verification needs INBOXGRAPH_JWT_ISSUER and INBOXGRAPH_JWT_AUDIENCE"
        )
    return jwt


#: What INBOXGRAPH_REDIS_URL may start with (redis-py's URL schemes).
REDIS_URL_SCHEMES = frozenset({"redis", "rediss", "unix"})


def load_redis_url(env: Mapping[str, str]) -> Secret | None:
    """INBOXGRAPH_REDIS_URL, checked without ever telling it (it may hold a password)."""
    raw = env.get("INBOXGRAPH_REDIS_URL", "").strip()
    if not raw:
        return None
    parsed = urlsplit(raw)
    try:
        parsed.port  # noqa: B018 (parsing it is the check)
    except ValueError:
        raise ConfigurationError("INBOXGRAPH_REDIS_URL has a port that is not a number") from None
    if parsed.scheme not in REDIS_URL_SCHEMES:
        raise ConfigurationError(
            "INBOXGRAPH_REDIS_URL must be a redis://, rediss:// or unix:// URL"
        )
    return Secret(raw)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    sandbox = values.choice(env, "INBOXGRAPH_SANDBOX", "auto", {"auto", "off"}) == "auto"
    tenants_file = env.get("INBOXGRAPH_TENANTS_FILE", "").strip()
    return Settings(
        providers={
            p: provider_settings(
                p,
                token=env.get(_env_name(p, "TOKEN"), "").strip(),
                base_url=env.get(_env_name(p, "BASE_URL"), "").strip() or None,
                sandbox_allowed=sandbox,
                token_name=_env_name(p, "TOKEN"),
                base_url_name=_env_name(p, "BASE_URL"),
                sandbox_name="INBOXGRAPH_SANDBOX",
            )
            for p in Provider
        },
        timeout_seconds=values.seconds(env, "INBOXGRAPH_TIMEOUT_SECONDS", 10.0),
        max_response_bytes=values.positive_int(env, "INBOXGRAPH_MAX_RESPONSE_BYTES", 1_048_576),
        cors_origins=values.listed(env, "INBOXGRAPH_CORS_ORIGINS"),
        highlevel_forbidden_retry_seconds=values.seconds(
            env, "INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS", 10.0
        ),
        api_tokens=tuple(Secret(t) for t in values.listed(env, "INBOXGRAPH_API_TOKEN")),
        limits=load_limits(env),
        other_tenants=(
            load_tenants_file(tenants_file, sandbox_default=sandbox, environ=env)
            if tenants_file
            else {}
        ),
        jwt=load_jwt(env),
        redis_url=load_redis_url(env),
        workers=values.positive_int(env, "INBOXGRAPH_WORKERS", 1),
        tracing=values.switch(env, "INBOXGRAPH_TRACING", False),
        log_level=values.choice(
            env, "INBOXGRAPH_LOG_LEVEL", "info", {"debug", "info", "warning", "error"}
        ).upper(),
        jobs=load_jobs(env),
        retry_attempts=values.positive_int(env, "INBOXGRAPH_RETRY_ATTEMPTS", 3),
        retry_base_seconds=values.seconds(env, "INBOXGRAPH_RETRY_BASE_SECONDS", 0.25),
        retry_max_seconds=values.seconds(env, "INBOXGRAPH_RETRY_MAX_SECONDS", 2.0),
        sandbox_faults=load_fault_plans(env),
        sandbox_faults_seed=load_fault_seed(env),
        gc_threshold=values.positive_int(env, "INBOXGRAPH_GC_THRESHOLD", DEFAULT_GC_THRESHOLD),
    )
