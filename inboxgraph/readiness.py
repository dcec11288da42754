"""Whether this process can serve: what `/readyz` answers.

The configuration is valid (or the process would not have started), and Redis answers
when one is configured. `/healthz` only says the process is up."""

from __future__ import annotations

from typing import Any

from inboxgraph.config import Settings
from inboxgraph.shared.redis import SharedStateUnavailable, check_reachable, redis_client


class Readiness:
    """Checks what serving depends on; one Redis connection pool, closed by `aclose`."""

    def __init__(self, settings: Settings) -> None:
        self._redis = redis_client(settings.redis_url) if settings.redis_url else None

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """Whether this process is ready, and the outcome of each check."""
        checks = {"configuration": "ok", "redis": "not configured"}
        if self._redis is not None:
            try:
                await check_reachable(self._redis)
            except SharedStateUnavailable as error:
                checks["redis"] = str(error)
            else:
                checks["redis"] = "ok"
        ready = checks["redis"] in {"ok", "not configured"}
        return ready, {"status": "ready" if ready else "not ready", "checks": checks}

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
