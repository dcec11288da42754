"""The connection to the Redis that holds shared state, bounded so it can never hang."""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from inboxgraph.secrets import Secret

#: Connecting, and every command, give up after this long: a request never hangs on Redis.
REDIS_TIMEOUT_SECONDS = 2.0


class SharedStateUnavailable(Exception):
    """Redis could not be reached; the message says so without the URL (it may hold a
    password)."""


def redis_client(url: Secret) -> aioredis.Redis:
    """A pooled asyncio client with connect and command timeouts."""
    client: aioredis.Redis = aioredis.Redis.from_url(
        url.reveal(),
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
    return client


async def check_reachable(client: aioredis.Redis) -> None:
    """SharedStateUnavailable unless Redis answers a PING."""
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        raise SharedStateUnavailable(
            f"Redis (INBOXGRAPH_REDIS_URL) cannot be reached: {type(error).__name__}"
        ) from None
