"""Who may call the GraphQL API, and as which tenant.

A caller presents `Authorization: Bearer <credential>`: an API key of a tenant
(compared in constant time with every configured key, so several can be live at once
for rotation), or, when configured, a JWT verified with an HS256 secret or the RS256
keys of a JWKS file, its issuer, audience and expiry checked, whose tenant claim names
a configured tenant. With no API key and no JWT verification configured, every caller
acts as the default tenant.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from starlette.datastructures import Headers

from inboxgraph.config import DEFAULT_TENANT, ConfigurationError, JwtSettings, Settings

REALM = "inboxgraph"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the tenant it acts as."""

    tenant: str


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self._keys = [
            (key.reveal().encode(), name)
            for name, tenant in settings.tenants.items()
            for key in tenant.api_keys
        ]
        self._tenants = set(settings.tenants)
        self._jwt = _JwtVerifier(settings.jwt) if settings.jwt.enabled else None
        self.required = settings.authentication_required

    def caller(self, headers: Headers) -> Caller | None:
        """The caller the request authenticates as, or None when it does not."""
        if not self.required:
            return Caller(DEFAULT_TENANT)
        presented = _bearer_token(headers)
        if presented is None:
            return None
        candidate = presented.encode()
        # Every configured key is compared, whatever matches, so the time taken does not
        # tell which one (or how much of one) was right.
        matches = [name for key, name in self._keys if hmac.compare_digest(candidate, key)]
        if matches:
            return Caller(matches[0])
        if self._jwt is not None:
            tenant = self._jwt.tenant(presented)
            if tenant in self._tenants:
                return Caller(tenant)
        return None

    def challenge(self, headers: Headers) -> str:
        """The `WWW-Authenticate` value for a refused request (RFC 6750)."""
        if _bearer_token(headers) is None:
            return f'Bearer realm="{REALM}"'
        return f'Bearer realm="{REALM}", error="invalid_token"'


class _JwtVerifier:
    def __init__(self, settings: JwtSettings) -> None:
        self._settings = settings
        self._algorithms = ["HS256"] if settings.hs256_secret is not None else ["RS256"]
        self._keys: dict[str | None, Any] = {}
        if settings.jwks_file is not None:
            self._keys = _jwks(settings.jwks_file)

    def tenant(self, token: str) -> str | None:
        """The tenant claim of a token that verifies; None for any other."""
        settings = self._settings
        try:
            key: Any
            if settings.hs256_secret is not None:
                key = settings.hs256_secret.reveal()
            else:
                kid = jwt.get_unverified_header(token).get("kid")
                key = self._keys.get(kid) or (
                    next(iter(self._keys.values()))
                    if kid is None and len(self._keys) == 1
                    else None
                )
                if key is None:
                    return None
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=settings.audience,
                issuer=settings.issuer,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        tenant = claims.get(settings.tenant_claim)
        return tenant if isinstance(tenant, str) else None


def _jwks(path: str) -> dict[str | None, Any]:
    """The RS256 public keys of a JWKS file, by key id."""
    try:
        keys = jwt.PyJWKSet.from_json(Path(path).read_text()).keys
    except (OSError, json.JSONDecodeError, jwt.PyJWTError) as error:
        raise ConfigurationError(f"INBOXGRAPH_JWT_JWKS_FILE {path}: {error}") from None
    return {key.key_id: key.key for key in keys}


def _bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
