"""eBay through the whole app: in sandbox mode, and in live mode against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion

from inboxgraph.domain.ebay import (
    EbayConversation,
    EbayConversationRef,
    EbayConversationStatus,
    EbayConversationType,
)
from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox import ebay as emulator
from inboxgraph.upstreams import Upstreams, connect_upstreams
from tests.support import (
    app_client,
    client_for,
    graphql,
    live_settings,
    sandbox_settings,
    update_many,
    update_one,
)

MEMBERS = EbayConversationRef("1000000000001", EbayConversationType.FROM_MEMBERS)
FROM_EBAY = EbayConversationRef("1000000000002", EbayConversationType.FROM_EBAY)
MARK_READ_OPERATION = (
    Path(__file__).parents[2] / "graphql" / "operations" / "ebay-mark-read.graphql"
)


def ebay_input(ref: EbayConversationRef, **change: Any) -> dict[str, Any]:
    return {
        "ebay": {
            "conversationId": ref.id,
            "conversationType": ref.conversation_type.value,
            **change,
        }
    }


async def emulator_state(upstreams: Upstreams, ref: EbayConversationRef) -> EbayConversation:
    """The conversation as the emulator now holds it, read through eBay's listing."""
    found = await upstreams.client(Provider.EBAY).read([ref])
    conversation: EbayConversation = found[ref]
    return conversation


@pytest.fixture
async def upstreams() -> AsyncIterator[Upstreams]:
    """Sandbox upstreams the test can also read the emulator through."""
    upstreams = connect_upstreams(sandbox_settings())
    yield upstreams
    await upstreams.aclose()


@pytest.fixture
async def client(upstreams: Upstreams) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(upstreams) as client:
        yield client


async def test_mark_read_operation_reads_the_conversation(
    client: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    assert (await emulator_state(upstreams, MEMBERS)).read is False
    body = await graphql(client, MARK_READ_OPERATION.read_text())
    assert body == {
        "data": {
            "updateConversation": {
                "__typename": "ConversationUpdated",
                "provider": "EBAY",
                "conversation": {
                    "id": MEMBERS.id,
                    "conversationType": "FROM_MEMBERS",
                    "conversationStatus": "ACTIVE",
                    "read": True,
                },
            }
        }
    }
    assert await emulator_state(upstreams, MEMBERS) == EbayConversation(
        id=MEMBERS.id,
        conversation_type=EbayConversationType.FROM_MEMBERS,
        conversation_status=EbayConversationStatus.ACTIVE,
        read=True,
    )


async def test_updates_land_in_the_emulator(
    client: httpx.AsyncClient, upstreams: Upstreams, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        client,
        [
            ebay_input(MEMBERS, read=True),
            ebay_input(MEMBERS, conversationStatus="ARCHIVE"),
            ebay_input(FROM_EBAY, conversationStatus="DELETE"),
        ],
    )
    assert [r["__typename"] for r in results] == ["ConversationUpdated"] * 3
    assert results == json_snapshot
    members = await emulator_state(upstreams, MEMBERS)
    from_ebay = await emulator_state(upstreams, FROM_EBAY)
    assert (members.conversation_status, members.read) == (EbayConversationStatus.ARCHIVE, True)
    assert (from_ebay.conversation_status, from_ebay.read) == (EbayConversationStatus.DELETE, False)


async def test_mark_unread(client: httpx.AsyncClient, upstreams: Upstreams) -> None:
    await update_one(client, ebay_input(FROM_EBAY, read=True))
    assert (await emulator_state(upstreams, FROM_EBAY)).read is True
    result = await update_one(client, ebay_input(FROM_EBAY, read=False))
    assert result["conversation"] == {
        "__typename": "EbayConversation",
        "id": FROM_EBAY.id,
        "conversationType": "FROM_EBAY",
        "conversationStatus": "ACTIVE",
        "read": False,
    }
    assert (await emulator_state(upstreams, FROM_EBAY)).read is False


async def test_failures(
    client: httpx.AsyncClient, upstreams: Upstreams, json_snapshot: SnapshotAssertion
) -> None:
    unknown = EbayConversationRef("999", EbayConversationType.FROM_MEMBERS)
    wrong_type = EbayConversationRef(MEMBERS.id, EbayConversationType.FROM_EBAY)
    results = await update_many(
        client,
        [
            ebay_input(unknown, read=True),
            # Inferred in the emulator: a type other than the conversation's own is 355007.
            ebay_input(wrong_type, read=True),
            {"ebay": {"conversationId": " ", "conversationType": "FROM_MEMBERS", "read": True}},
            ebay_input(MEMBERS),
            ebay_input(MEMBERS, conversationStatus="ARCHIVE", read=True),
        ],
    )
    # eBay's bulk answer says FAILURE for each, without a reason.
    assert [(r["code"], r["providerCode"], r["mayHaveBeenApplied"]) for r in results] == [
        ("UPSTREAM_ERROR", None, False),
        ("UPSTREAM_ERROR", None, False),
        ("INVALID_INPUT", None, False),
        ("INVALID_INPUT", None, False),
        ("INVALID_INPUT", None, False),
    ]
    assert results == json_snapshot
    assert await emulator_state(upstreams, MEMBERS) == EbayConversation(
        id=MEMBERS.id,
        conversation_type=EbayConversationType.FROM_MEMBERS,
        conversation_status=EbayConversationStatus.ACTIVE,
        read=False,
    )


@pytest.mark.parametrize(
    ("token", "code", "status", "provider_code"),
    [
        ("not-an-ebay-token", "UNAUTHENTICATED", 401, "1001"),
        (emulator.SANDBOX_TOKEN_WITHOUT_MESSAGE_SCOPE, "FORBIDDEN", 403, "1100"),
    ],
    ids=["unknown-token", "no-message-scope"],
)
async def test_live_credentials_the_emulator_refuses(
    token: str, code: str, status: int, provider_code: str
) -> None:
    transport = httpx.ASGITransport(app=emulator.create_app())
    settings = live_settings(INBOXGRAPH_EBAY_TOKEN=token)
    async with app_client(settings, transport) as client:
        result = await update_one(client, ebay_input(MEMBERS, read=True))
    assert {k: result[k] for k in ("code", "providerStatus", "providerCode", "retryable")} == {
        "code": code,
        "providerStatus": status,
        "providerCode": provider_code,
        "retryable": False,
    }
    assert token not in result["message"]
