"""One shape for every conversation: the InboxConversation interface, and no null for state an
update did not touch, seen the way a normalized client cache sees it."""

from __future__ import annotations

from typing import Any

import pytest

from inboxgraph.domain.provider import Provider
from tests.support import app_client, graphql

INBOX = "... on InboxConversation { __typename provider id archived read spam deleted }"

REFS: dict[Provider, dict[str, Any]] = {
    Provider.AYRSHARE: {"ayrshare": {"platform": "INSTAGRAM", "id": "aWdfZMTpIyzQw"}},
    Provider.PUFFLE: {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567"}},
    Provider.HIGHLEVEL: {"highLevel": {"id": "ABC12h2F6uBrIkfXYazb"}},
    Provider.EBAY: {"ebay": {"id": "1000000000001", "conversationType": "FROM_MEMBERS"}},
}
UPDATES: dict[Provider, dict[str, Any]] = {
    Provider.AYRSHARE: {
        "ayrshare": {
            "platform": "INSTAGRAM",
            "conversationId": "aWdfZMTpIyzQw",
            "status": "ARCHIVED",
        }
    },
    Provider.PUFFLE: {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "unreadCount": 0}},
    Provider.HIGHLEVEL: {"highLevel": {"messageId": "ve9EPM428h8vShlRW1KT", "status": "READ"}},
    Provider.EBAY: {
        "ebay": {
            "conversationId": "1000000000001",
            "conversationType": "FROM_MEMBERS",
            "read": True,
        }
    },
}
#: Each provider's own fields, as a client would select them besides the shared ones (its
#: own `status` enums differ, so they need aliases; the shared state does not).
OWN_FIELDS = """
  ... on AyrshareConversation { platform ayrshareStatus: status }
  ... on PuffleConversation { puffleStatus: status unreadCount channel }
  ... on EbayConversation { conversationType conversationStatus }
"""


async def test_every_provider_reads_alike_without_aliases() -> None:
    async with app_client() as client:
        body = await graphql(
            client,
            "query($refs: [ConversationRef!]!) { conversations(refs: $refs) { " + INBOX + " } }",
            {"refs": [*REFS.values(), {"vcita": {"uid": "89m2pnabgozdvd9f"}}]},
        )
    ayrshare, puffle, highlevel, ebay, vcita = body["data"]["conversations"]
    assert ayrshare == {
        "__typename": "AyrshareConversation",
        "provider": "AYRSHARE",
        "id": "aWdfZMTpIyzQw",
        "archived": False,
        "read": None,
        "spam": None,
        "deleted": None,
    }
    assert (puffle["archived"], puffle["read"], puffle["spam"]) == (False, False, None)
    assert (highlevel["read"], highlevel["deleted"], highlevel["archived"]) == (True, False, None)
    assert (ebay["archived"], ebay["read"], ebay["deleted"]) == (False, False, False)
    assert vcita is None  # vcita cannot be read; the error says READ_UNSUPPORTED
    assert [e["extensions"]["code"] for e in body["errors"]] == ["READ_UNSUPPORTED"]


@pytest.mark.parametrize("provider", list(UPDATES), ids=lambda p: p.name.lower())
async def test_an_update_never_nulls_what_the_cache_already_shows(provider: Provider) -> None:
    selection = f"__typename {INBOX} {OWN_FIELDS}"
    async with app_client() as client:
        before = await graphql(
            client,
            "query($ref: ConversationRef!) { conversation(ref: $ref) { " + selection + " } }",
            {"ref": REFS[provider]},
        )
        after = await graphql(
            client,
            "mutation($input: UpdateConversationInput!) { updateConversation(input: $input) {"
            " ... on ConversationUpdated { conversation { " + selection + " } } } }",
            {"input": UPDATES[provider]},
        )
    shown = before["data"]["conversation"]
    updated = after["data"]["updateConversation"]["conversation"]
    # A normalized cache merges `updated` into the entity it holds: every field the page
    # showed must still be known afterwards.
    assert set(updated) == set(shown)
    for field, value in shown.items():
        if value is not None:
            assert updated[field] is not None, f"{provider.name}.{field} became null"


async def test_vcita_tells_its_whole_state_after_an_update() -> None:
    async with app_client() as client:
        body = await graphql(
            client,
            'mutation { updateConversation(input: {vcita: {uid: "89m2pnabgozdvd9f", spam: true}}) {'
            " ... on ConversationUpdated { conversation { " + INBOX + " } } } }",
        )
    assert body["data"]["updateConversation"]["conversation"] == {
        "__typename": "VcitaConversation",
        "provider": "VCITA",
        "id": "89m2pnabgozdvd9f",
        "archived": False,
        "read": True,
        "spam": True,
        "deleted": False,
    }
