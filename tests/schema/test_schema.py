"""The printed SDL: committed (its one pin) and faithful to the public contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from inboxgraph.api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_SDL = ROOT / "graphql" / "schema.graphql"
CONTRACT = Path(__file__).with_name("contract.graphql")
SHARED_CONTRACT = ROOT.parent / "shared" / "contract" / "updateConversation.graphql"


def printed_sdl() -> str:
    return schema.as_str() + "\n"


def test_committed_sdl_is_current() -> None:
    assert COMMITTED_SDL.read_text() == printed_sdl(), (
        "graphql/schema.graphql is stale: run `inboxgraph schema > graphql/schema.graphql`"
    )


def test_cli_prints_the_sdl() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "inboxgraph.cli", "schema"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert printed == printed_sdl()


def test_vendored_contract_matches_the_shared_one() -> None:
    # The contract is vendored so a fresh clone can check itself; beside the shared
    # folder, the copy must be identical.
    if SHARED_CONTRACT.exists():
        assert CONTRACT.read_text() == SHARED_CONTRACT.read_text()
    assert "updateConversation" in CONTRACT.read_text()


def _served() -> GraphQLSchema:
    return build_schema(COMMITTED_SDL.read_text(), assume_valid_sdl=True)


def _contract() -> GraphQLSchema:
    return build_schema(CONTRACT.read_text(), assume_valid_sdl=True)


def _contract_type_names() -> list[str]:
    return sorted(n for n in _contract().type_map if not n.startswith("__"))


@pytest.mark.parametrize("name", _contract_type_names())
def test_contract_type_is_served_unchanged(name: str) -> None:
    expected = _contract().type_map[name]
    served = _served().type_map.get(name)
    assert served is not None, f"{name} is missing"
    assert type(served) is type(expected), f"{name} changed kind"
    if isinstance(expected, GraphQLEnumType):
        assert isinstance(served, GraphQLEnumType)
        assert set(expected.values) <= set(served.values)
    elif isinstance(expected, GraphQLUnionType):
        assert isinstance(served, GraphQLUnionType)
        assert {t.name for t in expected.types} == {t.name for t in served.types}
    elif isinstance(expected, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(served, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in expected.fields.items():
            assert field_name in served.fields, f"{name}.{field_name} is missing"
            served_field = served.fields[field_name]
            assert str(served_field.type) == str(field.type), f"{name}.{field_name} changed type"
            for arg_name, arg in field.args.items():
                assert str(served_field.args[arg_name].type) == str(arg.type)
    elif isinstance(expected, GraphQLInputObjectType):
        assert isinstance(served, GraphQLInputObjectType)
        for field_name, field in expected.fields.items():
            assert field_name in served.fields, f"{name}.{field_name} is missing"
            assert str(served.fields[field_name].type) == str(field.type)
    else:
        assert isinstance(expected, GraphQLScalarType)


def test_update_input_is_one_of() -> None:
    assert "input UpdateConversationInput @oneOf" in COMMITTED_SDL.read_text()


def test_entities_carry_the_contract_keys() -> None:
    sdl = COMMITTED_SDL.read_text()
    for declaration in (
        'type AyrshareConversation implements InboxConversation @key(fields: "platform id")',
        'type PuffleConversation implements InboxConversation @key(fields: "id")',
        'type HighLevelConversation implements InboxConversation @key(fields: "id")',
        'type VcitaConversation implements InboxConversation @key(fields: "uid")',
        'type EbayConversation implements InboxConversation @key(fields: "id conversationType")',
    ):
        assert declaration in sdl
