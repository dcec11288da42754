"""eBay through the whole app, in sandbox mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion

from inboxgraph.app import create_app
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import UpstreamRequest
from inboxgraph.upstreams import connect_upstreams
from tests.support import graphql, sandbox_settings, update_many, update_one

MEMBERS = "1000000000001"
FROM_EBAY = "1000000000002"
MARK_READ_OPERATION = (
    Path(__file__).parents[2] / "graphql" / "operations" / "ebay-mark-read.graphql"
)


async def listed(services: Services, conversation_type: str) -> list[dict[str, Any]]:
    """The emulator's getConversations listing, read through the eBay gateway."""
    response = await services.gateway(Provider.EBAY).send(
        UpstreamRequest("GET", "/conversation", params={"conversation_type": conversation_type})
    )
    conversations: list[dict[str, Any]] = response.json()["conversations"]
    return conversations


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    """Sandbox services the test can also read the emulators through."""
    services = connect_upstreams(sandbox_settings())
    yield services
    await services.aclose()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://inboxgraph") as client:
        yield client


async def test_mark_read_operation_reads_the_conversation(
    client: httpx.AsyncClient, services: Services
) -> None:
    body = await graphql(client, MARK_READ_OPERATION.read_text())
    assert body == {
        "data": {
            "updateConversation": {
                "__typename": "ConversationUpdated",
                "provider": "EBAY",
                "conversation": {
                    "id": MEMBERS,
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": None,
                    "read": True,
                },
            }
        }
    }
    [members] = await listed(services, "FROM_MEMBERS")
    assert (members["conversationStatus"], members["unreadCount"]) == ("ACTIVE", 0)


async def test_updates_land_in_the_emulator(
    client: httpx.AsyncClient, services: Services, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        client,
        [
            {"ebay": {"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS", "read": True}},
            {
                "ebay": {
                    "conversationId": MEMBERS,
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": "ARCHIVE",
                }
            },
            {
                "ebay": {
                    "conversationId": FROM_EBAY,
                    "conversationType": "FROM_EBAY",
                    "conversationStatus": "DELETE",
                }
            },
        ],
    )
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * 3
    assert results == json_snapshot
    [members] = await listed(services, "FROM_MEMBERS")
    [from_ebay] = await listed(services, "FROM_EBAY")
    assert (members["conversationStatus"], members["unreadCount"]) == ("ARCHIVE", 0)
    assert (from_ebay["conversationStatus"], from_ebay["unreadCount"]) == ("DELETE", 1)


async def test_mark_unread(sandbox_client: httpx.AsyncClient) -> None:
    result = await update_one(
        sandbox_client,
        {"ebay": {"conversationId": FROM_EBAY, "conversationType": "FROM_EBAY", "read": False}},
    )
    assert result["conversation"] == {
        "__typename": "EbayConversation",
        "id": FROM_EBAY,
        "conversationType": "FROM_EBAY",
        "conversationStatus": None,
        "read": False,
    }


async def test_failures(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        sandbox_client,
        [
            {"ebay": {"conversationId": "999", "conversationType": "FROM_MEMBERS", "read": True}},
            {"ebay": {"conversationId": MEMBERS, "conversationType": "FROM_EBAY", "read": True}},
            {"ebay": {"conversationId": " ", "conversationType": "FROM_MEMBERS", "read": True}},
            {"ebay": {"conversationId": MEMBERS, "conversationType": "FROM_MEMBERS"}},
            {
                "ebay": {
                    "conversationId": MEMBERS,
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": "ARCHIVE",
                    "read": True,
                }
            },
        ],
    )
    assert [(r["code"], r["providerCode"]) for r in results] == [
        ("NOT_FOUND", "355007"),
        ("NOT_FOUND", "355007"),
        ("INVALID_INPUT", None),
        ("INVALID_INPUT", None),
        ("INVALID_INPUT", None),
    ]
    assert results == json_snapshot
