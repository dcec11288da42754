from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.redis_server import redis_server
from tests.support import app_client


@pytest.fixture
async def sandbox_client() -> AsyncIterator[httpx.AsyncClient]:
    """The whole app with every provider in sandbox mode, fresh state per test."""
    async with app_client() as client:
        yield client


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture(scope="session")
def redis_service() -> Iterator[str]:
    """One real redis-server for the session (persistence off), started on first use."""
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_service: str) -> Iterator[str]:
    """A real Redis emptied for this test."""
    client = redis.Redis.from_url(redis_service)
    client.flushall()
    yield redis_service
    client.flushall()
