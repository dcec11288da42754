"""idempotencyKey on updateConversation, updateConversations and startBulkUpdate: a repeat
gets the first answer and nothing is sent again; the same key with another input is
refused; keys are the caller's own. In memory and in Redis alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.upstreams import connect_upstreams
from tests.jobs.support import START, puffle_input
from tests.ports import free_port
from tests.support import (
    RESULT_FRAGMENT,
    client_for,
    graphql,
    record_upstream,
)

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
ONE = (
    "mutation One($input: UpdateConversationInput!, $key: String) {"
    " updateConversation(input: $input, idempotencyKey: $key) { ...Result } }" + RESULT_FRAGMENT
)
MANY = (
    "mutation Many($inputs: [UpdateConversationInput!]!, $key: String) {"
    " updateConversations(inputs: $inputs, idempotencyKey: $key) { ...Result } }" + RESULT_FRAGMENT
)


def unread(count: int) -> dict[str, Any]:
    return {"puffle": {"id": MINE, "unreadCount": count}}


@pytest.fixture(params=["memory", "redis"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text('[tenants.acme]\napi_keys = ["acme-key"]\n')
    env = {"INBOXGRAPH_TENANTS_FILE": str(tenants), "INBOXGRAPH_API_TOKEN": "default-key"}
    if request.param == "redis":
        env["INBOXGRAPH_REDIS_URL"] = request.getfixturevalue("redis_url")
    return env


@pytest.fixture
async def sandbox(env: dict[str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, list[Any]]]:
    upstreams = connect_upstreams(load_settings(env))
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        client.headers["authorization"] = "Bearer default-key"
        yield client, sent


async def test_update_conversation_answers_a_repeat_without_sending(
    sandbox: tuple[httpx.AsyncClient, list[Any]],
) -> None:
    client, sent = sandbox
    first = await graphql(client, ONE, {"input": unread(5), "key": "k-1"})
    # The conversation changes in between; the repeat still tells the first answer.
    await graphql(client, ONE, {"input": unread(7)})
    again = await graphql(client, ONE, {"input": unread(5), "key": "k-1"})
    assert first == again
    assert first["data"]["updateConversation"]["conversation"]["unreadCount"] == 5
    assert [r.method for r in sent] == ["PATCH", "PATCH"]


async def test_update_conversations_answers_a_repeat_without_sending(
    sandbox: tuple[httpx.AsyncClient, list[Any]],
) -> None:
    client, sent = sandbox
    inputs = [unread(1), {"puffle": {"id": "nope", "status": "ARCHIVED"}}]
    first = await graphql(client, MANY, {"inputs": inputs, "key": "k-2"})
    again = await graphql(client, MANY, {"inputs": inputs, "key": "k-2"})
    assert first == again
    assert [r["__typename"] for r in first["data"]["updateConversations"]] == [
        "ConversationUpdated",
        "UpdateFailed",
    ]
    assert len(sent) == 1


async def test_start_bulk_update_starts_one_job_per_key(
    sandbox: tuple[httpx.AsyncClient, list[Any]],
) -> None:
    client, _ = sandbox
    inputs = [unread(1), unread(2)]
    first = await graphql(client, START, {"inputs": inputs, "key": "k-3"})
    again = await graphql(client, START, {"inputs": inputs, "key": "k-3"})
    other = await graphql(client, START, {"inputs": inputs})
    job = first["data"]["startBulkUpdate"]
    assert again["data"]["startBulkUpdate"]["id"] == job["id"]
    assert other["data"]["startBulkUpdate"]["id"] != job["id"]


@pytest.mark.parametrize(
    ("document", "variables", "other"),
    [
        (ONE, {"input": unread(1)}, {"input": unread(2)}),
        (MANY, {"inputs": [unread(1)]}, {"inputs": [unread(1), unread(2)]}),
        (START, {"inputs": [puffle_input(1)]}, {"inputs": [puffle_input(2)]}),
        # The same updates through another mutation are another input too.
        (ONE, {"input": unread(1)}, None),
    ],
    ids=["updateConversation", "updateConversations", "startBulkUpdate", "another-mutation"],
)
async def test_a_key_used_with_another_input_is_refused(
    sandbox: tuple[httpx.AsyncClient, list[Any]],
    document: str,
    variables: dict[str, Any],
    other: dict[str, Any] | None,
) -> None:
    client, sent = sandbox
    first = await graphql(client, document, {**variables, "key": "k-4"})
    assert "errors" not in first
    if other is None:
        document, other = MANY, {"inputs": [variables["input"]]}
    refused = await graphql(client, document, {**other, "key": "k-4"})
    error = refused["errors"][0]
    assert refused["data"] is None
    assert error["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "idempotencyKey 'k-4'" in error["message"]
    assert "different input" in error["message"]
    assert len(sent) <= 1


async def test_keys_are_the_callers_own(sandbox: tuple[httpx.AsyncClient, list[Any]]) -> None:
    client, sent = sandbox
    await graphql(client, ONE, {"input": unread(1), "key": "shared"})
    client.headers["authorization"] = "Bearer acme-key"
    # Another tenant's same key is no repeat (nor a conflict): it runs, on acme's sandbox.
    theirs = await graphql(client, ONE, {"input": unread(2), "key": "shared"})
    assert theirs["data"]["updateConversation"]["conversation"]["unreadCount"] == 2
    assert len(sent) == 2


async def test_a_key_must_be_a_sane_length(sandbox: tuple[httpx.AsyncClient, list[Any]]) -> None:
    client, sent = sandbox
    for key in ("", "k" * 256):
        body = await graphql(client, ONE, {"input": unread(1), "key": key})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sent == []


async def test_nothing_is_sent_when_the_records_cannot_be_reached() -> None:
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    upstreams = connect_upstreams(load_settings({"INBOXGRAPH_REDIS_URL": unreachable}))
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        one = await graphql(client, ONE, {"input": unread(1), "key": "k"})
        job = await graphql(client, START, {"inputs": [unread(1)], "key": "k"})
        plain = await graphql(client, ONE, {"input": unread(1)})
    failed = one["data"]["updateConversation"]
    assert (failed["code"], failed["retryable"]) == ("STATE_UNAVAILABLE", True)
    assert failed["mayHaveBeenApplied"] is False
    assert unreachable not in failed["message"]
    assert job["errors"][0]["extensions"]["code"] == "STATE_UNAVAILABLE"
    # Without a key an update still paces through Redis: it is not sent either.
    assert plain["data"]["updateConversation"]["code"] == "STATE_UNAVAILABLE"
    assert sent == []
