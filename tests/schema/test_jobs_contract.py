"""The served schema keeps the contract of bulk jobs, idempotency and normalized actions
(`jobs-and-actions.graphql`): every name there, with its type and arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    InputObjectTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_schema,
    parse,
    print_ast,
)

ROOT = Path(__file__).resolve().parents[2]
SERVED = build_schema((ROOT / "graphql" / "schema.graphql").read_text(), assume_valid_sdl=True)
CONTRACT = Path(__file__).with_name("jobs-and-actions.graphql")
SHARED_CONTRACT = ROOT.parent / "shared" / "contract" / "jobs-and-actions.graphql"
DEFINITIONS = parse(CONTRACT.read_text()).definitions


def test_vendored_contract_matches_the_shared_one() -> None:
    if SHARED_CONTRACT.exists():
        assert CONTRACT.read_text() == SHARED_CONTRACT.read_text()


def _fields() -> list[tuple[str, FieldDefinitionNode]]:
    return [
        (definition.name.value, field)
        for definition in DEFINITIONS
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        for field in definition.fields or ()
    ]


@pytest.mark.parametrize(
    ("type_name", "field"), _fields(), ids=[f"{t}.{f.name.value}" for t, f in _fields()]
)
def test_contract_field_is_served(type_name: str, field: FieldDefinitionNode) -> None:
    served_type = SERVED.type_map.get(type_name)
    assert isinstance(served_type, GraphQLObjectType), f"{type_name} is not served"
    served = served_type.fields.get(field.name.value)
    assert served is not None, f"{type_name}.{field.name.value} is missing"
    assert str(served.type) == print_ast(field.type)
    for argument in field.arguments or ():
        served_argument = served.args.get(argument.name.value)
        assert served_argument is not None, f"{field.name.value}({argument.name.value}) is missing"
        assert str(served_argument.type) == print_ast(argument.type)
        if argument.default_value is not None:
            served_node = served_argument.ast_node
            assert served_node is not None and served_node.default_value is not None
            assert print_ast(served_node.default_value) == print_ast(argument.default_value)


def test_contract_enums_and_inputs_are_served() -> None:
    for definition in DEFINITIONS:
        if isinstance(definition, EnumTypeDefinitionNode):
            served = SERVED.type_map.get(definition.name.value)
            assert isinstance(served, GraphQLEnumType)
            assert {v.name.value for v in definition.values or ()} <= set(served.values)
        elif isinstance(definition, InputObjectTypeDefinitionNode):
            served = SERVED.type_map.get(definition.name.value)
            assert isinstance(served, GraphQLInputObjectType)
            for field in definition.fields or ():
                assert str(served.fields[field.name.value].type) == print_ast(field.type)


def test_update_error_code_gains_the_contracts_codes() -> None:
    codes = SERVED.type_map["UpdateErrorCode"]
    assert isinstance(codes, GraphQLEnumType)
    assert {"UNSUPPORTED", "CANCELLED"} <= set(codes.values)
