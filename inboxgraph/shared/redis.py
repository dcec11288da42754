"""The connection to the Redis that holds shared state, bounded so it can never hang."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from inboxgraph.secrets import Secret

T = TypeVar("T")

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
    with reaching_shared_state():
        await client.ping()


@contextmanager
def reaching_shared_state() -> Iterator[None]:
    """Turns a failure to reach Redis into SharedStateUnavailable."""
    try:
        yield
    except (RedisError, OSError) as error:
        raise SharedStateUnavailable(
            f"Redis (INBOXGRAPH_REDIS_URL) cannot be reached: {type(error).__name__}"
        ) from None


async def awaited(command: Awaitable[T] | T) -> T:
    """A command's answer (redis-py's stubs type asyncio commands as maybe not awaitable)."""
    if inspect.isawaitable(command):
        return cast(T, await command)
    return command
