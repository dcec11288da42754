"""Puffle emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from inboxgraph.sandbox.puffle import (
    OTHER_USER_ID,
    SANDBOX_TOKEN,
    PuffleState,
    create_app,
    seed_conversations,
)

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
MISSING = "f11e8a2c-1234-4567-89ab-000000000000"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
OTHER_TOKEN = "token-of-the-other-account"
#: The fields of the conversation object in the update page's example answer.
DOCUMENTED_FIELDS = {
    "id",
    "user_id",
    "account_id",
    "channel",
    "status",
    "external_id",
    "participant_name",
    "participant_email",
    "participant_linkedin_url",
    "last_message_at",
    "unread_count",
    "created_at",
    "updated_at",
}
ID_ROUTES = [
    ("PATCH", "/api/conversations/{id}"),
    ("GET", "/api/conversations/{id}"),
    ("GET", "/api/conversations/{id}/messages"),
]


def client_for(state: PuffleState, token: str = SANDBOX_TOKEN) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(state)),
        base_url="http://puffle",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def state() -> PuffleState:
    state = PuffleState()
    state.tokens[OTHER_TOKEN] = OTHER_USER_ID
    return state


@pytest.fixture
async def puffle(state: PuffleState) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(state) as client:
        yield client


def many_conversations(state: PuffleState, count: int) -> list[str]:
    """Give the sandbox account `count` more conversations, one a day; their ids, oldest first."""
    [template] = [c for c in seed_conversations() if c["id"] == MINE]
    ids = [f"f11e8a2c-1234-4567-89ab-{n:012d}" for n in range(1, count + 1)]
    for day, conversation_id in enumerate(ids):
        state.conversations[conversation_id] = dict(
            template,
            id=conversation_id,
            last_message_at=f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}T00:00:00Z",
        )
    return ids


async def mine(puffle: httpx.AsyncClient) -> dict[str, Any]:
    """MINE as the side-effect-free list shows it."""
    listing = (await puffle.get("/api/conversations")).json()
    [conversation] = [c for c in listing["conversations"] if c["id"] == MINE]
    return dict(conversation)


async def send(puffle: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    body = {"status": "archived"} if method == "PATCH" else None
    return await puffle.request(method, path, json=body)


async def test_patch_updates_and_returns_conversation(puffle: httpx.AsyncClient) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", json={"status": "archived", "unread_count": 7}
    )
    assert response.status_code == 200
    conversation = response.json()["conversation"]
    assert set(conversation) == DOCUMENTED_FIELDS
    assert (conversation["status"], conversation["unread_count"]) == ("archived", 7)
    assert conversation["updated_at"] != "2026-04-22T10:00:00Z"
    assert (await mine(puffle))["status"] == "archived"


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/conversations"), *ID_ROUTES])
@pytest.mark.parametrize("authorization", ["Bearer wrong", "", "Bearer ", SANDBOX_TOKEN])
async def test_every_route_requires_a_known_bearer_token(
    puffle: httpx.AsyncClient, method: str, path: str, authorization: str
) -> None:
    puffle.headers["Authorization"] = authorization
    response = await send(puffle, method, path.format(id=MINE))
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
async def test_another_accounts_conversation_is_404_like_missing(
    puffle: httpx.AsyncClient, state: PuffleState, method: str, path: str
) -> None:
    theirs = await send(puffle, method, path.format(id=THEIRS))
    missing = await send(puffle, method, path.format(id=MISSING))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    async with client_for(state, OTHER_TOKEN) as owner:
        listing = (await owner.get("/api/conversations")).json()
    [untouched] = listing["conversations"]
    assert (untouched["id"], untouched["status"], untouched["unread_count"]) == (
        THEIRS,
        "active",
        1,
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"{}",
        b'{"status": "deleted"}',
        b'{"status": null}',
        b'{"status": ["archived"]}',
        b'{"foo": 1}',
        b"[1]",
        b'"archived"',
    ],
)
async def test_empty_or_all_invalid_body_is_400(puffle: httpx.AsyncClient, body: bytes) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert (await mine(puffle))["status"] == "active"


@pytest.mark.parametrize("status", ["deleted", "ARCHIVED", None, ["archived"], {"a": 1}])
async def test_unknown_status_is_silently_dropped(
    puffle: httpx.AsyncClient, status: object
) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", json={"status": status, "unread_count": 1}
    )
    assert response.status_code == 200
    assert response.json()["conversation"]["status"] == "active"
    assert response.json()["conversation"]["unread_count"] == 1


@pytest.mark.parametrize("count", [-1, 2**53, 1.5, True, "3", None])
async def test_unread_count_outside_its_range_is_400(
    puffle: httpx.AsyncClient, count: object
) -> None:
    response = await puffle.patch(
        f"/api/conversations/{MINE}", json={"status": "archived", "unread_count": count}
    )
    assert response.status_code == 400
    assert (await mine(puffle))["status"] == "active"


@pytest.mark.parametrize("count", [0, 2**53 - 1])
async def test_unread_count_range_is_inclusive(puffle: httpx.AsyncClient, count: int) -> None:
    response = await puffle.patch(f"/api/conversations/{MINE}", json={"unread_count": count})
    assert response.status_code == 200
    assert (await mine(puffle))["unread_count"] == count


async def test_get_conversation_resets_unread_but_list_and_messages_do_not(
    puffle: httpx.AsyncClient,
) -> None:
    assert (await mine(puffle))["unread_count"] == 3
    messages = await puffle.get(f"/api/conversations/{MINE}/messages", params={"limit": 200})
    assert messages.status_code == 200 and messages.json()["messages"]
    assert (await mine(puffle))["unread_count"] == 3
    opened = await puffle.get(f"/api/conversations/{MINE}")
    assert opened.status_code == 200
    assert opened.json()["conversation"]["id"] == MINE
    assert [m["conversation_id"] for m in opened.json()["messages"]] == [MINE]
    assert (await mine(puffle))["unread_count"] == 0


async def test_list_shows_only_own_conversations(puffle: httpx.AsyncClient) -> None:
    listing = (await puffle.get("/api/conversations")).json()
    assert [c["id"] for c in listing["conversations"]] == [MINE]
    assert (listing["total"], listing["page"]) == (1, 1)


async def test_list_is_newest_first_and_paged_by_page_at_its_own_size(
    puffle: httpx.AsyncClient, state: PuffleState
) -> None:
    ids = many_conversations(state, 120)
    pages = []
    for page in (1, 2, 3, 4):
        # `limit` is not a documented request parameter of the list: it changes nothing.
        response = await puffle.get("/api/conversations", params={"page": page, "limit": 10})
        assert response.status_code == 200
        pages.append(response.json())
    assert [(p["total"], p["page"], p["limit"]) for p in pages] == [
        (121, 1, 50),
        (121, 2, 50),
        (121, 3, 50),
        (121, 4, 50),
    ]
    assert [len(p["conversations"]) for p in pages] == [50, 50, 21, 0]
    listed = [c["id"] for p in pages for c in p["conversations"]]
    assert listed == [MINE, *reversed(ids)]


@pytest.mark.parametrize("page", ["0", "-1", "x"])
async def test_list_page_must_be_a_positive_integer(puffle: httpx.AsyncClient, page: str) -> None:
    response = await puffle.get("/api/conversations", params={"page": page})
    assert response.status_code == 400


async def test_messages_limit_defaults_to_50_and_is_at_most_200(
    puffle: httpx.AsyncClient, state: PuffleState
) -> None:
    state.messages.extend(
        {
            "id": f"5a0c7c1e-0000-4000-8000-{n:012d}",
            "conversation_id": MINE,
            "direction": "outbound",
            "body": f"Message {n}",
            "sent_at": "2026-04-22T09:13:00Z",
        }
        for n in range(2, 251)
    )
    path = f"/api/conversations/{MINE}/messages"
    default = (await puffle.get(path)).json()
    assert (len(default["messages"]), default["limit"]) == (50, 50)
    largest = (await puffle.get(path, params={"limit": 200})).json()
    assert (len(largest["messages"]), largest["limit"]) == (200, 200)
    for limit in (201, 0):
        assert (await puffle.get(path, params={"limit": limit})).status_code == 400


@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
@pytest.mark.parametrize(
    "conversation_id",
    [
        "not-a-uuid",
        # The pattern is matched whole: a trailing newline is not part of a UUID.
        f"{MINE}%0A",
        # The version digit must be 1-8 and the variant digit 8, 9, a or b.
        "f11e8a2c-1234-9567-89ab-cdef01234567",
        "f11e8a2c-1234-4567-c9ab-cdef01234567",
    ],
)
async def test_id_outside_the_documented_pattern_is_400(
    puffle: httpx.AsyncClient, method: str, path: str, conversation_id: str
) -> None:
    response = await send(puffle, method, path.format(id=conversation_id))
    assert response.status_code == 400
    assert (await mine(puffle)) == next(c for c in seed_conversations() if c["id"] == MINE)


@pytest.mark.parametrize(
    "conversation_id",
    ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
)
async def test_documented_special_ids_are_well_formed(
    puffle: httpx.AsyncClient, conversation_id: str
) -> None:
    response = await send(puffle, "PATCH", f"/api/conversations/{conversation_id}")
    assert response.status_code == 404


async def test_an_upper_case_id_names_the_same_conversation(puffle: httpx.AsyncClient) -> None:
    response = await send(puffle, "PATCH", f"/api/conversations/{MINE.upper()}")
    assert response.status_code == 200
    assert response.json()["conversation"]["id"] == MINE
