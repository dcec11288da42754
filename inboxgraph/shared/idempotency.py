"""Idempotency records: what the first request with an `idempotencyKey` asked and answered.

A record is kept per tenant and key. While the first request runs it holds the input's
fingerprint (and expires after `running_seconds`, so a process that died mid-request does
not hold the key for good); once answered it holds the answer too, for
`retention_seconds`. A repeat with the same fingerprint gets the answer (waiting, within
a bound, for a first request still running); one with another fingerprint is a conflict.
Kept in this process's memory, or in Redis where every process sees them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import redis.asyncio as aioredis

from inboxgraph.config import Settings
from inboxgraph.shared.redis import reaching_shared_state

Clock = Callable[[], float]

#: A first request holds its key this long past the request deadline, then it is free.
RUNNING_MARGIN_SECONDS = 10.0


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it, then `answer` (or `release` when it failed)."""


@dataclass(frozen=True)
class Answered:
    """The key was answered before, with the same input: `answer` is that answer."""

    answer: str


@dataclass(frozen=True)
class Conflict:
    """The key was first used with another input."""


@dataclass(frozen=True)
class StillRunning:
    """The first request with this key and input is still running after the wait."""


Claim = Claimed | Answered | Conflict | StillRunning


class IdempotencyStore(Protocol):
    async def claim(self, tenant: str, key: str, fingerprint: str, *, wait: float) -> Claim:
        """Take `key` for a request whose input has `fingerprint`, or say why not; a first
        request still running is waited for at most `wait` seconds."""
        ...

    async def answer(self, tenant: str, key: str, fingerprint: str, answer: str) -> None:
        """Keep `answer` as the key's answer."""
        ...

    async def release(self, tenant: str, key: str, fingerprint: str) -> None:
        """Forget an unanswered claim (its request failed before answering)."""
        ...


@dataclass
class _Record:
    fingerprint: str
    expires_at: float
    answer: str | None = None
    settled: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryIdempotency:
    """Records in this process: right for one serving process."""

    #: Expired records are swept at most this often.
    SWEEP_SECONDS = 60.0

    def __init__(
        self, *, retention_seconds: float, running_seconds: float, clock: Clock = time.monotonic
    ) -> None:
        self._retention = retention_seconds
        self._running = running_seconds
        self._clock = clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._next_sweep = clock() + self.SWEEP_SECONDS

    def __len__(self) -> int:
        return len(self._records)

    async def claim(self, tenant: str, key: str, fingerprint: str, *, wait: float) -> Claim:
        deadline = self._clock() + wait
        while True:
            record = self._live((tenant, key))
            if record is None:
                self._records[(tenant, key)] = _Record(fingerprint, self._clock() + self._running)
                return Claimed()
            if record.fingerprint != fingerprint:
                return Conflict()
            if record.answer is not None:
                return Answered(record.answer)
            now = self._clock()
            if now >= deadline:
                return StillRunning()
            # Woken when it is answered or released; looked at again when it expires.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    record.settled.wait(), min(deadline, record.expires_at) - now
                )

    async def answer(self, tenant: str, key: str, fingerprint: str, answer: str) -> None:
        record = self._live((tenant, key))
        if record is None or record.fingerprint != fingerprint:
            record = self._records[(tenant, key)] = _Record(fingerprint, 0.0)
        record.answer = answer
        record.expires_at = self._clock() + self._retention
        record.settled.set()

    async def release(self, tenant: str, key: str, fingerprint: str) -> None:
        record = self._live((tenant, key))
        if record is not None and record.fingerprint == fingerprint and record.answer is None:
            del self._records[(tenant, key)]
            record.settled.set()

    def _live(self, name: tuple[str, str]) -> _Record | None:
        now = self._clock()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            for expired in [k for k, r in self._records.items() if r.expires_at <= now]:
                self._records.pop(expired).settled.set()
        record = self._records.get(name)
        if record is not None and record.expires_at <= now:
            del self._records[name]
            record.settled.set()
            return None
        return record


class RedisIdempotency:
    """Records in Redis, seen by every process: `SET NX` with an expiry claims a key."""

    PREFIX = "inboxgraph:idempotency:"
    #: How often a repeat looks whether the first request has answered (doubling up to this).
    MAX_POLL_SECONDS = 0.25

    def __init__(
        self, client: aioredis.Redis, *, retention_seconds: float, running_seconds: float
    ) -> None:
        self._client = client
        self._release_unanswered = client.register_script(_RELEASE_UNANSWERED)
        self._retention_ms = max(1, round(retention_seconds * 1000))
        self._running_ms = max(1, round(running_seconds * 1000))

    def _name(self, tenant: str, key: str) -> str:
        # Hashed: a key of any length and characters is one bounded Redis key.
        return f"{self.PREFIX}{tenant}:{hashlib.sha256(key.encode()).hexdigest()}"

    async def claim(self, tenant: str, key: str, fingerprint: str, *, wait: float) -> Claim:
        name = self._name(tenant, key)
        running = json.dumps({"fingerprint": fingerprint, "answer": None})
        deadline = time.monotonic() + wait
        poll = 0.02
        while True:
            with reaching_shared_state():
                if await self._client.set(name, running, nx=True, px=self._running_ms):
                    return Claimed()
                raw = await self._client.get(name)
            if raw is None:
                continue  # it expired in between: claim it again
            record = json.loads(raw)
            if record["fingerprint"] != fingerprint:
                return Conflict()
            if record["answer"] is not None:
                return Answered(str(record["answer"]))
            left = deadline - time.monotonic()
            if left <= 0:
                return StillRunning()
            await asyncio.sleep(min(poll, left))
            poll = min(poll * 2, self.MAX_POLL_SECONDS)

    async def answer(self, tenant: str, key: str, fingerprint: str, answer: str) -> None:
        record = json.dumps({"fingerprint": fingerprint, "answer": answer})
        with reaching_shared_state():
            await self._client.set(self._name(tenant, key), record, px=self._retention_ms)

    async def release(self, tenant: str, key: str, fingerprint: str) -> None:
        running = json.dumps({"fingerprint": fingerprint, "answer": None})
        with reaching_shared_state():
            await self._release_unanswered(keys=[self._name(tenant, key)], args=[running])


#: Deletes the record KEYS[1] only while it is still the unanswered claim ARGV[1].
_RELEASE_UNANSWERED = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def connect_idempotency(settings: Settings, redis: aioredis.Redis | None) -> IdempotencyStore:
    """Records in Redis when there is one, else in this process."""
    retention = settings.jobs.idempotency_seconds
    running = settings.limits.request_timeout_seconds + RUNNING_MARGIN_SECONDS
    if redis is None:
        return MemoryIdempotency(retention_seconds=retention, running_seconds=running)
    return RedisIdempotency(redis, retention_seconds=retention, running_seconds=running)
