"""Composing the committed SDL with another subgraph, with Apollo's composition and with
The Guild's (what Hive uses)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    ObjectTypeDefinitionNode,
    StringValueNode,
    UnionTypeDefinitionNode,
    parse,
    print_ast,
)

from tests.federation.stack import COMPOSERS, CRM_SDL_PATH, SCHEMA_PATH, Composer, compose

pytestmark = pytest.mark.usefixtures("node_modules")

#: The contract's `Conversation` members and their @key fields.
CONVERSATION_KEYS = {
    "AyrshareConversation": "platform id",
    "PuffleConversation": "id",
    "HighLevelConversation": "id",
    "VcitaConversation": "uid",
    "EbayConversation": "id conversationType",
}


FEDERATION_LINK = re.compile(r'"https://specs\.apollo\.dev/federation/(v[0-9.]+)"')


def compose_ok(tmp_path: Path, composer: Composer) -> DocumentNode:
    out = tmp_path / "supergraph.graphql"
    done = compose(out, composer=composer)
    assert done.returncode == 0, done.stderr
    return parse(out.read_text())


def join_keys(document: DocumentNode, type_name: str, graph: str) -> list[str]:
    """The `key` arguments of the type's `@join__type(graph: <graph>, ...)` directives."""
    definition = next(
        d
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == type_name
    )
    keys = []
    for directive in definition.directives or ():
        if directive.name.value != "join__type":
            continue
        args = {arg.name.value: arg.value for arg in directive.arguments or ()}
        key = args.get("key")
        if print_ast(args["graph"]) == graph and isinstance(key, StringValueNode):
            keys.append(key.value)
    return keys


@pytest.mark.parametrize("composer", COMPOSERS)
def test_committed_sdl_composes_with_every_conversation_an_entity(
    tmp_path: Path, composer: Composer
) -> None:
    supergraph = compose_ok(tmp_path, composer)

    conversation = next(
        d
        for d in supergraph.definitions
        if isinstance(d, UnionTypeDefinitionNode) and d.name.value == "Conversation"
    )
    assert {t.name.value for t in conversation.types or ()} == set(CONVERSATION_KEYS)
    for type_name, key in CONVERSATION_KEYS.items():
        assert join_keys(supergraph, type_name, "INBOXGRAPH") == [key], type_name
    assert join_keys(supergraph, "PuffleConversation", "CRM") == ["id"]


@pytest.mark.parametrize("composer", COMPOSERS)
def test_conflicting_subgraph_fails_composition(tmp_path: Path, composer: Composer) -> None:
    conflicting = tmp_path / "crm-conflicting.graphql"
    conflicting.write_text(
        CRM_SDL_PATH.read_text().replace(
            "  contact: Contact\n", "  contact: Contact\n  status: Int\n", 1
        )
    )
    assert "status: Int" in conflicting.read_text()
    out = tmp_path / "supergraph.graphql"

    done = compose(out, composer=composer, crm_sdl=conflicting)

    assert done.returncode != 0
    assert "composition error" in done.stderr
    assert "PuffleConversation.status" in done.stderr
    assert not out.exists()


def test_crm_links_the_federation_version_inboxgraph_prints() -> None:
    printed = FEDERATION_LINK.findall(SCHEMA_PATH.read_text())
    assert printed, "the printed SDL links no federation version"
    assert FEDERATION_LINK.findall(CRM_SDL_PATH.read_text()) == printed
