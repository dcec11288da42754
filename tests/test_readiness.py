"""/readyz: ready when the configuration is valid and Redis, when configured, answers;
/healthz says only that the process is up."""

from __future__ import annotations

from contextlib import ExitStack

from inboxgraph.config import load_settings
from tests.ports import free_port
from tests.redis_server import redis_server
from tests.support import app_client


async def test_ready_without_redis_configured() -> None:
    async with app_client() as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"configuration": "ok", "redis": "not configured"},
    }


async def test_ready_while_redis_answers_and_not_once_it_stopped() -> None:
    with ExitStack() as redis:
        url = redis.enter_context(redis_server())
        async with app_client(load_settings({"INBOXGRAPH_REDIS_URL": url})) as client:
            ready = await client.get("/readyz")
            redis.close()  # redis-server stops
            stopped = await client.get("/readyz")
            healthy = await client.get("/healthz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"configuration": "ok", "redis": "ok"}}
    assert stopped.status_code == 503
    assert stopped.json() == {
        "status": "not ready",
        "checks": {
            "configuration": "ok",
            "redis": "Redis (INBOXGRAPH_REDIS_URL) cannot be reached: ConnectionError",
        },
    }
    assert healthy.status_code == 200


async def test_an_unreachable_redis_is_told_without_its_url() -> None:
    port = free_port()  # nothing listens there
    url = f"redis://inboxgraph:hunter2-s3cret@127.0.0.1:{port}/0"
    async with app_client(load_settings({"INBOXGRAPH_REDIS_URL": url})) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert "hunter2" not in response.text
    assert str(port) not in response.text
