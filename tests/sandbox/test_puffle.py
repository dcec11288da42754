"""Puffle emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from inboxgraph.sandbox.puffle import SANDBOX_TOKEN, create_app

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
MISSING = "f11e8a2c-1234-4567-89ab-000000000000"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
async def puffle() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://puffle", headers=AUTH) as c:
        yield c


async def test_patch_updates_and_returns_conversation(puffle: httpx.AsyncClient) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", json={"status": "archived", "unread_count": 7}
    )
    assert response.status_code == 200
    conversation = response.json()["conversation"]
    assert (conversation["status"], conversation["unread_count"]) == ("archived", 7)
    assert conversation["updated_at"] != "2026-04-22T10:00:00Z"


async def test_requires_bearer_token(puffle: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": ""}):
        response = await puffle.patch(
            f"/api/conversations/{MINE}", json={"status": "archived"}, headers=headers
        )
        assert response.status_code == 401


async def test_another_accounts_conversation_is_404_like_missing(puffle: httpx.AsyncClient) -> None:
    theirs = await puffle.patch(f"/api/conversations/{THEIRS}", json={"status": "archived"})
    missing = await puffle.patch(f"/api/conversations/{MISSING}", json={"status": "archived"})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.parametrize("body", [None, {}, {"status": "deleted"}, {"foo": 1}, [1]])
async def test_empty_or_all_invalid_body_is_400(puffle: httpx.AsyncClient, body: object) -> None:
    if body is None:
        response = await puffle.patch(f"/api/conversations/{MINE}")
    else:
        response = await puffle.patch(f"/api/conversations/{MINE}", json=body)
    assert response.status_code == 400


async def test_unknown_status_is_silently_dropped(puffle: httpx.AsyncClient) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", json={"status": "deleted", "unread_count": 1}
    )
    assert response.status_code == 200
    assert response.json()["conversation"]["status"] == "active"
    assert response.json()["conversation"]["unread_count"] == 1


@pytest.mark.parametrize("count", [-1, 2**53, 1.5, True, "3"])
async def test_unread_count_out_of_range_is_400(puffle: httpx.AsyncClient, count: object) -> None:
    response = await puffle.patch(f"/api/conversations/{MINE}", json={"unread_count": count})
    assert response.status_code == 400


async def test_get_conversation_resets_unread_but_list_and_messages_do_not(
    puffle: httpx.AsyncClient,
) -> None:
    async def unread() -> int:
        listing = (await puffle.get("/api/conversations")).json()
        [mine] = [c for c in listing["conversations"] if c["id"] == MINE]
        return int(mine["unread_count"])

    assert await unread() == 3
    messages = await puffle.get(f"/api/conversations/{MINE}/messages", params={"limit": 200})
    assert messages.status_code == 200 and messages.json()["messages"]
    assert await unread() == 3
    opened = await puffle.get(f"/api/conversations/{MINE}")
    assert opened.status_code == 200
    assert await unread() == 0


async def test_list_shows_only_own_conversations(puffle: httpx.AsyncClient) -> None:
    listing = (await puffle.get("/api/conversations")).json()
    assert [c["id"] for c in listing["conversations"]] == [MINE]
    assert listing["total"] == 1


async def test_messages_limit_is_at_most_200(puffle: httpx.AsyncClient) -> None:
    response = await puffle.get(f"/api/conversations/{MINE}/messages", params={"limit": 201})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/conversations/not-a-uuid"),
        ("GET", "/api/conversations/not-a-uuid"),
        ("GET", "/api/conversations/not-a-uuid/messages"),
    ],
)
async def test_id_outside_the_documented_pattern_is_400(
    puffle: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await puffle.request(
        method, path, json={"status": "archived"} if method == "PATCH" else None
    )
    assert response.status_code == 400
