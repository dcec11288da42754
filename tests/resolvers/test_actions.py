"""Provider-neutral actions: each maps to its provider's own update, or UNSUPPORTED with
nothing sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from inboxgraph.domain import ayrshare, ebay, highlevel, puffle, vcita
from inboxgraph.domain.actions import ConversationAction, Unsupported
from inboxgraph.domain.provider import ConversationRef, Provider
from inboxgraph.upstreams import connect_upstreams
from tests.support import client_for, graphql, record_upstream, sandbox_settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
REFS: dict[Provider, dict[str, Any]] = {
    Provider.AYRSHARE: {"ayrshare": {"platform": "INSTAGRAM", "id": "aWdfZMTpIyzQw"}},
    Provider.PUFFLE: {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567"}},
    Provider.HIGHLEVEL: {"highLevel": {"id": "ABC12h2F6uBrIkfXYazb"}},
    Provider.VCITA: {"vcita": {"uid": "89m2pnabgozdvd9f"}},
    Provider.EBAY: {"ebay": {"id": "1000000000001", "conversationType": "FROM_MEMBERS"}},
}
#: The normalized state each supported action leaves, as the result reports it.
EFFECTS: dict[ConversationAction, tuple[str, bool]] = {
    ConversationAction.ARCHIVE: ("archived", True),
    ConversationAction.UNARCHIVE: ("archived", False),
    ConversationAction.MARK_READ: ("read", True),
    ConversationAction.MARK_UNREAD: ("read", False),
    ConversationAction.MARK_SPAM: ("spam", True),
    ConversationAction.DELETE: ("deleted", True),
}
SUPPORTED: dict[Provider, set[ConversationAction]] = {
    Provider.AYRSHARE: {ConversationAction.ARCHIVE, ConversationAction.UNARCHIVE},
    Provider.PUFFLE: {
        ConversationAction.ARCHIVE,
        ConversationAction.UNARCHIVE,
        ConversationAction.MARK_READ,
        ConversationAction.MARK_UNREAD,
    },
    Provider.HIGHLEVEL: set(),
    Provider.VCITA: set(ConversationAction),
    Provider.EBAY: set(ConversationAction) - {ConversationAction.MARK_SPAM},
}
APPLY = """
mutation($ref: ConversationRef!, $action: ConversationAction!) {
  applyConversationAction(ref: $ref, action: $action) {
    __typename
    ... on ConversationUpdated { provider conversation { ... on InboxConversation { archived read spam deleted } } }
    ... on UpdateFailed { provider code message field mayHaveBeenApplied }
  }
}
"""
CASES = [(p, a) for p in Provider for a in ConversationAction]


@pytest.mark.parametrize(("provider", "action"), CASES, ids=lambda c: getattr(c, "name", c))
async def test_an_action_is_its_providers_own_update_or_unsupported(
    provider: Provider, action: ConversationAction
) -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        body = await graphql(client, APPLY, {"ref": REFS[provider], "action": action.name})
    result = body["data"]["applyConversationAction"]
    if action in SUPPORTED[provider]:
        assert result["__typename"] == "ConversationUpdated", result
        field, value = EFFECTS[action]
        assert result["conversation"][field] is value
    else:
        assert result == {
            "__typename": "UpdateFailed",
            "provider": provider.name,
            "code": "UNSUPPORTED",
            "message": result["message"],
            "field": "action",
            "mayHaveBeenApplied": False,
        }
        assert result["message"].startswith(f"{provider.name} cannot {action.name}: ")
        assert sent == []


def test_the_readme_table_says_what_each_provider_does() -> None:
    """README's actions table is the mapping, provider by provider."""
    rows = {
        line.split("|")[1].strip().strip("`"): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in README.splitlines()
        if re.match(r"\| `(ARCHIVE|UNARCHIVE|MARK_READ|MARK_UNREAD|MARK_SPAM|DELETE)` \|", line)
    }
    header = next(line for line in README.splitlines() if line.startswith("| action |"))
    columns = [cell.strip() for cell in header.split("|")[2:-1]]
    assert [c.upper() for c in columns] == [p.name for p in Provider]
    for action in ConversationAction:
        for provider, cell in zip(Provider, rows[action.name], strict=True):
            supported = action in SUPPORTED[provider]
            assert (cell != "—") is supported, f"README: {action.name} for {provider.name}"


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name.lower())
def test_the_mapping_in_the_domain_matches_the_table(provider: Provider) -> None:
    refs: dict[Provider, ConversationRef] = {
        Provider.AYRSHARE: ayrshare.AyrshareConversationRef(
            ayrshare.AyrsharePlatform.INSTAGRAM, "x"
        ),
        Provider.PUFFLE: puffle.PuffleConversationRef("f11e8a2c-1234-4567-89ab-cdef01234567"),
        Provider.HIGHLEVEL: highlevel.HighLevelConversationRef("c"),
        Provider.VCITA: vcita.VcitaConversationRef("u"),
        Provider.EBAY: ebay.EbayConversationRef("1", ebay.EbayConversationType.FROM_EBAY),
    }
    supported = {
        action
        for action in ConversationAction
        if not isinstance(refs[provider].update_for(action), Unsupported)
    }
    assert supported == SUPPORTED[provider]
