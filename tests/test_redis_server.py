"""The tests' Redis is real, empty for each test, and forgets everything when it stops."""

from __future__ import annotations

import redis

from tests.redis_server import redis_server


def test_each_test_gets_an_empty_real_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("k", "v")
    assert client.get("k") == b"v"
    assert client.config_get("save") == {"save": ""}
    assert client.config_get("appendonly") == {"appendonly": "no"}


def test_a_stopped_server_is_gone() -> None:
    with redis_server() as url:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
        assert client.ping()
    try:
        client.ping()
    except redis.ConnectionError:
        return
    raise AssertionError("redis-server still answers after it was stopped")
