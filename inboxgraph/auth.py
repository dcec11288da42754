"""Who may call the GraphQL API: bearer tokens from configuration, compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from starlette.datastructures import Headers

from inboxgraph.secrets import Secret

REALM = "inboxgraph"


class BearerAuth:
    """Accepts `Authorization: Bearer <token>` for any configured token (several at once, so
    a token can be rotated without downtime); with none configured, everyone is let in."""

    def __init__(self, tokens: Sequence[Secret]) -> None:
        self._tokens = [token.reveal().encode() for token in tokens]

    @property
    def required(self) -> bool:
        return bool(self._tokens)

    def allows(self, headers: Headers) -> bool:
        if not self._tokens:
            return True
        presented = _bearer_token(headers)
        if presented is None:
            return False
        candidate = presented.encode()
        # Every configured token is compared, whatever matches, so the time taken does
        # not tell which one (or how much of one) was right.
        matches = [hmac.compare_digest(candidate, token) for token in self._tokens]
        return any(matches)

    def challenge(self, headers: Headers) -> str:
        """The `WWW-Authenticate` value for a refused request (RFC 6750)."""
        if _bearer_token(headers) is None:
            return f'Bearer realm="{REALM}"'
        return f'Bearer realm="{REALM}", error="invalid_token"'


def _bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
