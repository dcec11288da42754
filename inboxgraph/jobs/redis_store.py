"""Jobs kept in Redis, so that any API process reads them and any worker runs them.

A job's keys share one hash tag: `meta` (a hash: state, total, counts, times, the number
of parts and the cancel request), `parts` (a hash: part -> its items' indices and updates,
in the domain codec's JSON), `states` (a hash: index -> item state, for items past
PENDING), `results` (a hash: index -> outcome JSON), `started` and `ended` (the parts
that have been held, and those finished) and, per part held, `lease:<part>` (the token of
the runner holding it, with an expiry its runner keeps renewing). Every change is one Lua
script, so claims are atomic, and a runner whose lease is gone can neither claim nor
record anything. Each script that changes what a caller sees publishes the job's new
`meta` on the job's channel; `watch` listens there.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from inboxgraph.config import JobSettings
from inboxgraph.domain import codec
from inboxgraph.domain.jobs import BulkJob, BulkJobItem, BulkJobState, ItemState
from inboxgraph.domain.outcomes import UpdateOutcome
from inboxgraph.domain.provider import ConversationUpdate
from inboxgraph.jobs.store import Claim, JobItem, Now, all_in_one_part, new_job_id, utc_now
from inboxgraph.shared.redis import awaited, reaching_shared_state

PREFIX = "inboxgraph:job:"
#: Every job not finished yet, as "<tenant>/<job id>": where workers look for orphans.
ACTIVE = "inboxgraph:jobs:active"
#: Ids this store makes (and so the only ids it looks up).
JOB_ID = re.compile(r"[0-9a-f]{32}")
#: Without a message, `watch` reads the job again this often.
WATCH_POLL_SECONDS = 1.0
#: What the finish script answers when the part it ended was the job's last.
_JOB_ENDED = 2

_PUBLISH = "redis.call('PUBLISH', ARGV[2], cjson.encode(redis.call('HGETALL', KEYS[1])))"

#: KEYS: meta, lease, started, ended. ARGV: token, channel, lease ms, start, part.
_ACQUIRE = f"""
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'FINISHED' or state == 'CANCELLED' then return 0 end
if tonumber(ARGV[5]) >= tonumber(redis.call('HGET', KEYS[1], 'parts') or '0') then return 0 end
if redis.call('SISMEMBER', KEYS[4], ARGV[5]) == 1 then return 0 end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('SADD', KEYS[3], ARGV[5])
if ARGV[4] == '1' and state == 'QUEUED' then
  redis.call('HSET', KEYS[1], 'state', 'RUNNING')
  {_PUBLISH}
end
return 1
"""
#: KEYS: meta, states, lease. ARGV: token, indices...
_CLAIM = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 'LOST' end
if redis.call('HGET', KEYS[1], 'cancel') == '1' then return 'CANCELLED' end
for i = 2, #ARGV do
  if not redis.call('HGET', KEYS[2], ARGV[i]) then redis.call('HSET', KEYS[2], ARGV[i], 'SENDING') end
end
return 'CLAIMED'
"""
#: KEYS: states, lease. ARGV: token, indices...
_RELEASE = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == 'SENDING' then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1
"""
#: KEYS: meta, states, results, lease. ARGV: token, channel, then (index, state, outcome)...
_SETTLE = f"""
if redis.call('GET', KEYS[4]) ~= ARGV[1] then return 0 end
for i = 3, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if not current or current == 'SENDING' then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
    local count = ARGV[i + 1] == 'SUCCEEDED' and 'succeeded' or 'failed'
    redis.call('HINCRBY', KEYS[1], count, 1)
  end
end
{_PUBLISH}
return 1
"""
#: KEYS: lease. ARGV: token, lease ms.
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
#: Ends one part; the job ends with its last part (2 is returned then, otherwise 1).
#: KEYS: meta, parts, states, results, started, ended, lease. ARGV: token, channel, state,
#: finished_at, retention ms, part.
_FINISH = f"""
if redis.call('GET', KEYS[7]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[7])
redis.call('SADD', KEYS[6], ARGV[6])
if ARGV[3] == 'CANCELLED' then redis.call('HSET', KEYS[1], 'part_cancelled', '1') end
if redis.call('SCARD', KEYS[6]) < tonumber(redis.call('HGET', KEYS[1], 'parts') or '0') then
  return 1
end
local state = 'FINISHED'
if redis.call('HGET', KEYS[1], 'part_cancelled') == '1' then state = 'CANCELLED' end
redis.call('HSET', KEYS[1], 'state', state, 'finished_at', ARGV[4])
{_PUBLISH}
for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return 2
"""
#: KEYS: lease. ARGV: token.
_LET_GO = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
#: KEYS: meta.
_REQUEST_CANCEL = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
if state ~= 'FINISHED' and state ~= 'CANCELLED' then redis.call('HSET', KEYS[1], 'cancel', '1') end
return 1
"""


@dataclass(frozen=True)
class _Keys:
    base: str
    meta: str
    parts: str
    states: str
    results: str
    started: str
    ended: str
    channel: str

    @classmethod
    def of(cls, tenant: str, job_id: str) -> _Keys:
        # One hash tag: a job's keys live together, as Lua scripts over them require.
        base = f"{PREFIX}{{{tenant}:{job_id}}}:"
        return cls(
            base=base,
            meta=base + "meta",
            parts=base + "parts",
            states=base + "states",
            results=base + "results",
            started=base + "started",
            ended=base + "ended",
            channel=base + "progress",
        )

    def lease(self, part: int) -> str:
        return f"{self.base}lease:{part}"

    @property
    def expiring(self) -> tuple[str, ...]:
        """The keys that outlive the job's end by its retention (the finish script's first
        six)."""
        return (self.meta, self.parts, self.states, self.results, self.started, self.ended)


class RedisJobStore:
    """Jobs in Redis; finished jobs expire `settings.retention_seconds` later, and a
    runner's hold lasts `settings.lease_seconds` past its last renewal."""

    def __init__(
        self, client: aioredis.Redis, settings: JobSettings, *, now: Now = utc_now
    ) -> None:
        self._client = client
        self._retention_ms = max(0, round(settings.retention_seconds * 1000))
        self._lease_ms = max(1, round(settings.lease_seconds * 1000))
        self._now = now
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("acquire", _ACQUIRE),
                ("claim", _CLAIM),
                ("release", _RELEASE),
                ("settle", _SETTLE),
                ("renew", _RENEW),
                ("finish", _FINISH),
                ("let_go", _LET_GO),
                ("request_cancel", _REQUEST_CANCEL),
            )
        }

    async def script(self, name: str, keys: Sequence[str], args: Sequence[str | int]) -> Any:
        """Run one of the job scripts."""
        with reaching_shared_state():
            return await self._scripts[name](keys=list(keys), args=list(args))

    async def create(
        self,
        tenant: str,
        updates: Sequence[ConversationUpdate],
        parts: Sequence[Sequence[int]] | None = None,
    ) -> BulkJob:
        parts = parts or all_in_one_part(updates)
        job = BulkJob(
            id=new_job_id(),
            state=BulkJobState.QUEUED,
            total=len(updates),
            succeeded=0,
            failed=0,
            created_at=self._now(),
        )
        keys = _Keys.of(tenant, job.id)
        with reaching_shared_state():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.hset(keys.meta, mapping={**_meta(job), "parts": len(parts)})
                pipe.hset(
                    keys.parts,
                    mapping={
                        str(number): json.dumps(
                            {
                                "indices": list(part),
                                "updates": [codec.encode(updates[index]) for index in part],
                            }
                        )
                        for number, part in enumerate(parts)
                    },
                )
                pipe.sadd(ACTIVE, f"{tenant}/{job.id}")
                await pipe.execute()
        return job

    async def part_count(self, tenant: str, job_id: str) -> int:
        if not JOB_ID.fullmatch(job_id):
            return 0
        with reaching_shared_state():
            parts = await awaited(self._client.hget(_Keys.of(tenant, job_id).meta, "parts"))
        return 0 if parts is None else int(parts)

    async def get(self, tenant: str, job_id: str) -> BulkJob | None:
        if not JOB_ID.fullmatch(job_id):
            return None
        with reaching_shared_state():
            meta = await awaited(self._client.hgetall(_Keys.of(tenant, job_id).meta))
        return _job(meta) if meta else None

    async def results(self, tenant: str, job_id: str, offset: int, limit: int) -> list[BulkJobItem]:
        job = await self.get(tenant, job_id)
        if job is None:
            return []
        indices = list(range(offset, min(offset + limit, job.total)))
        if not indices:
            return []
        with reaching_shared_state():
            found = await awaited(self._client.hmget(_Keys.of(tenant, job_id).results, indices))
        return [
            BulkJobItem(index, codec.loads(raw))
            for index, raw in zip(indices, found, strict=True)
            if raw is not None
        ]

    async def request_cancel(self, tenant: str, job_id: str) -> BulkJob | None:
        if not JOB_ID.fullmatch(job_id):
            return None
        if not await self.script("request_cancel", [_Keys.of(tenant, job_id).meta], []):
            return None
        return await self.get(tenant, job_id)

    async def watch(self, tenant: str, job_id: str) -> AsyncGenerator[BulkJob, None]:
        if not JOB_ID.fullmatch(job_id):
            return
        keys = _Keys.of(tenant, job_id)
        pubsub = self._client.pubsub()
        try:
            with reaching_shared_state():
                # Subscribed before reading, so no change between the two is missed.
                await pubsub.subscribe(keys.channel)
            last = await self.get(tenant, job_id)
            if last is None:
                return
            yield last
            while not last.state.finished:
                with reaching_shared_state():
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=WATCH_POLL_SECONDS
                    )
                if message is not None:
                    current: BulkJob | None = _job(_pairs(json.loads(message["data"])))
                else:
                    # Nothing heard (or a message lost): read the job itself.
                    current = await self.get(tenant, job_id)
                if current is None:
                    return
                # A message can tell a change the first read already included.
                if _progress(current) > _progress(last):
                    yield current
                    last = current
        finally:
            with reaching_shared_state():
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def acquire(
        self, tenant: str, job_id: str, *, start: bool, part: int = 0
    ) -> RedisJobRun | None:
        if not JOB_ID.fullmatch(job_id) or part < 0:
            return None
        keys = _Keys.of(tenant, job_id)
        token = uuid.uuid4().hex
        acquired = await self.script(
            "acquire",
            [keys.meta, keys.lease(part), keys.started, keys.ended],
            [token, keys.channel, self._lease_ms, "1" if start else "0", part],
        )
        return RedisJobRun(self, tenant, job_id, part, token) if acquired else None

    async def orphans(self) -> list[tuple[str, str, int]]:
        """Parts of RUNNING jobs that were held, are not finished and nobody holds: their
        runner died. (A part never held yet is still on the queue.)"""
        with reaching_shared_state():
            members = [m.decode() for m in await awaited(self._client.smembers(ACTIVE))]
            jobs = [tuple(member.split("/", 1)) for member in members]
            async with self._client.pipeline(transaction=False) as pipe:
                for tenant, job_id in jobs:
                    keys = _Keys.of(tenant, job_id)
                    pipe.hget(keys.meta, "state")
                    pipe.sdiff([keys.started, keys.ended])
                answers = await pipe.execute()
            candidates: list[tuple[str, str, int]] = []
            gone: list[str] = []
            for member, (tenant, job_id), state, unfinished in zip(
                members, jobs, answers[::2], answers[1::2], strict=True
            ):
                if state is None or state.decode() in {"FINISHED", "CANCELLED"}:
                    gone.append(member)
                elif state.decode() == "RUNNING":
                    candidates += [(tenant, job_id, int(part)) for part in sorted(unfinished)]
            async with self._client.pipeline(transaction=False) as pipe:
                for tenant, job_id, part in candidates:
                    pipe.exists(_Keys.of(tenant, job_id).lease(part))
                held = await pipe.execute()
            if gone:
                await awaited(self._client.srem(ACTIVE, *gone))
        return [part for part, holder in zip(candidates, held, strict=True) if not holder]

    async def take_over(self, tenant: str, job_id: str, part: int = 0) -> bool:
        """True for one caller per lease period: the one to queue an orphaned part again."""
        name = _Keys.of(tenant, job_id).lease(part) + ":recovering"
        with reaching_shared_state():
            return bool(await self._client.set(name, "1", nx=True, px=self._lease_ms))

    @property
    def retention_ms(self) -> int:
        return self._retention_ms

    @property
    def lease_ms(self) -> int:
        return self._lease_ms

    def now(self) -> datetime:
        return self._now()

    @property
    def client(self) -> aioredis.Redis:
        return self._client


class RedisJobRun:
    """A runner's hold on one part of a job in Redis: its lease token."""

    def __init__(
        self, store: RedisJobStore, tenant: str, job_id: str, part: int, token: str
    ) -> None:
        self._store = store
        self._tenant = tenant
        self._job_id = job_id
        self._part = part
        self._token = token
        self._keys = _Keys.of(tenant, job_id)
        self._lease = self._keys.lease(part)

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def job_id(self) -> str:
        return self._job_id

    @property
    def part(self) -> int:
        return self._part

    async def items(self) -> list[JobItem]:
        client = self._store.client
        with reaching_shared_state():
            raw = await awaited(client.hget(self._keys.parts, str(self._part)))
            if raw is None:
                return []
            part = json.loads(raw)
            indices: list[int] = part["indices"]
            states = await awaited(client.hmget(self._keys.states, indices)) if indices else []
        return [
            JobItem(index, codec.decode(update), ItemState((state or b"PENDING").decode()))
            for index, update, state in zip(indices, part["updates"], states, strict=True)
        ]

    async def claim(self, indices: Sequence[int]) -> Claim:
        keys = self._keys
        answer = await self._store.script(
            "claim", [keys.meta, keys.states, self._lease], [self._token, *indices]
        )
        return Claim(answer.decode())

    async def release(self, indices: Sequence[int]) -> bool:
        keys = self._keys
        return bool(
            await self._store.script("release", [keys.states, self._lease], [self._token, *indices])
        )

    async def settle(self, results: Mapping[int, UpdateOutcome]) -> bool:
        keys = self._keys
        args: list[str | int] = [self._token, keys.channel]
        for index, outcome in results.items():
            args += [index, ItemState.of(outcome).value, codec.dumps(outcome)]
        return bool(
            await self._store.script(
                "settle", [keys.meta, keys.states, keys.results, self._lease], args
            )
        )

    async def cancel_requested(self) -> bool:
        with reaching_shared_state():
            return await awaited(self._store.client.hexists(self._keys.meta, "cancel"))

    async def renew(self) -> bool:
        return bool(
            await self._store.script("renew", [self._lease], [self._token, self._store.lease_ms])
        )

    async def finish(self, state: BulkJobState) -> None:
        keys = self._keys
        ended = await self._store.script(
            "finish",
            [*keys.expiring, self._lease],
            [
                self._token,
                keys.channel,
                state.value,
                self._store.now().isoformat(),
                self._store.retention_ms,
                self._part,
            ],
        )
        if ended == _JOB_ENDED:
            with reaching_shared_state():
                await awaited(self._store.client.srem(ACTIVE, f"{self._tenant}/{self._job_id}"))

    async def let_go(self) -> None:
        await self._store.script("let_go", [self._lease], [self._token])


def _meta(job: BulkJob) -> dict[str, str | int]:
    return {
        "id": job.id,
        "state": job.state.value,
        "total": job.total,
        "succeeded": job.succeeded,
        "failed": job.failed,
        "created_at": job.created_at.isoformat(),
    }


def _progress(job: BulkJob) -> tuple[int, int]:
    """Orders the states of one job: a job only ever moves forward."""
    return job.done, list(BulkJobState).index(job.state)


def _pairs(flat: list[str]) -> dict[bytes, bytes]:
    """HGETALL's flat [field, value, ...] answer (as Lua's cjson writes it) as a hash."""
    return {flat[i].encode(): flat[i + 1].encode() for i in range(0, len(flat), 2)}


def _job(meta: Mapping[bytes, bytes]) -> BulkJob:
    def text(name: str) -> str:
        return meta[name.encode()].decode()

    finished_at = meta.get(b"finished_at")
    return BulkJob(
        id=text("id"),
        state=BulkJobState(text("state")),
        total=int(text("total")),
        succeeded=int(text("succeeded")),
        failed=int(text("failed")),
        created_at=datetime.fromisoformat(text("created_at")),
        finished_at=None if finished_at is None else datetime.fromisoformat(finished_at.decode()),
    )
