"""The printed SDL links the lowest federation version that has every directive it uses.

A subgraph that links a newer version than it needs is refused by gateways that do not
know that version yet (Hive's composition refused v2.11), so the link is held at the
minimum: adding a directive from a later version fails here, naming the directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    Node,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    parse,
)

from inboxgraph.api.schema import FEDERATION_VERSION, schema
from tests.federation.stack import SCHEMA_PATH

Version = tuple[int, int]

FEDERATION_SPEC = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")

#: The first Federation 2 version of each federation directive (and of the arguments added
#: to one later, as `@name(argument:)`), from the federation spec's changelog.
FEDERATION_DIRECTIVE_SINCE: dict[str, Version] = {
    "@key": (2, 0),
    "@extends": (2, 0),
    "@external": (2, 0),
    "@requires": (2, 0),
    "@provides": (2, 0),
    "@shareable": (2, 0),
    "@inaccessible": (2, 0),
    "@override": (2, 0),
    "@tag": (2, 0),
    "@composeDirective": (2, 1),
    "@interfaceObject": (2, 3),
    "@authenticated": (2, 5),
    "@requiresScopes": (2, 5),
    "@policy": (2, 6),
    "@override(label:)": (2, 7),
    "@context": (2, 8),
    "@fromContext": (2, 8),
    "@cost": (2, 9),
    "@listSize": (2, 9),
    "@cacheTag": (2, 12),
}

#: Directives of GraphQL itself, which need no federation version.
GRAPHQL_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})


def directive_uses(document: DocumentNode) -> Iterator[DirectiveNode]:
    """Every directive applied anywhere in the document."""
    pending: list[Node] = list(document.definitions)
    while pending:
        node = pending.pop()
        for key in node.keys:
            value = getattr(node, key, None)
            children = value if isinstance(value, tuple | list) else (value,)
            for child in children:
                if isinstance(child, DirectiveNode):
                    yield child
                elif isinstance(child, Node):
                    pending.append(child)


def federation_link(document: DocumentNode) -> tuple[Version, frozenset[str]]:
    """The federation version the schema links, and the directives it imports from it."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            args = {arg.name.value: arg.value for arg in directive.arguments or ()}
            url = args.get("url")
            if directive.name.value != "link" or not isinstance(url, StringValueNode):
                continue
            match = FEDERATION_SPEC.match(url.value)
            if match is None:
                continue
            imports = args.get("import")
            names = frozenset(
                value.value
                for value in (imports.values if isinstance(imports, ListValueNode) else ())
                if isinstance(value, StringValueNode)
            )
            return (int(match[1]), int(match[2])), names
    raise AssertionError("the SDL @links no federation version")


def used_federation_features(document: DocumentNode) -> set[str]:
    """The federation directives (and later arguments of them) the SDL applies."""
    defined = {d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)}
    features: set[str] = set()
    for use in directive_uses(document):
        name = use.name.value
        if name == "link" or name in GRAPHQL_DIRECTIVES or name in defined:
            continue
        features.add(f"@{name}")
        features.update(f"@{name}({arg.name.value}:)" for arg in use.arguments or ())
    return features


def required_version(features: set[str]) -> tuple[Version, list[str]]:
    """The lowest federation version that has all `features`, and the features needing it."""
    unknown = sorted(f for f in features if "(" not in f and f not in FEDERATION_DIRECTIVE_SINCE)
    assert not unknown, (
        f"the SDL uses {unknown}, missing from FEDERATION_DIRECTIVE_SINCE: add the federation "
        "version that introduced each"
    )
    since = {f: FEDERATION_DIRECTIVE_SINCE[f] for f in features if f in FEDERATION_DIRECTIVE_SINCE}
    version = max(since.values(), default=(2, 0))
    return version, sorted(f for f, v in since.items() if v == version)


def check_links_minimum(sdl: str) -> None:
    document = parse(sdl)
    linked, imported = federation_link(document)
    features = used_federation_features(document)
    needed, because = required_version(features)
    assert linked == needed, (
        f"the SDL links federation v{linked[0]}.{linked[1]}, but the lowest version with every "
        f"federation directive it uses is v{needed[0]}.{needed[1]} "
        f"(for {', '.join(because) or 'Federation 2 itself'}): set FEDERATION_VERSION in "
        "inboxgraph/api/schema.py to it, then regenerate graphql/schema.graphql"
    )
    directives = {f for f in features if "(" not in f}
    assert directives <= imported, f"used but not imported: {sorted(directives - imported)}"


def test_printed_sdl_links_the_lowest_version_with_its_directives() -> None:
    check_links_minimum(schema.as_str())


def test_committed_sdl_links_the_pinned_version() -> None:
    linked, _ = federation_link(parse(SCHEMA_PATH.read_text()))

    assert f"{linked[0]}.{linked[1]}" == FEDERATION_VERSION


def test_a_directive_from_a_later_version_names_the_version_it_needs() -> None:
    printed = schema.as_str()
    sdl = printed.replace('@key(fields: "id")', '@key(fields: "id") @authenticated', 1)
    sdl = sdl.replace('import: ["@key"]', 'import: ["@authenticated", "@key"]', 1)
    assert sdl.count("@authenticated") == printed.count("@authenticated") + 2

    with pytest.raises(AssertionError) as raised:
        check_links_minimum(sdl)

    message = str(raised.value)
    assert f"links federation v{FEDERATION_VERSION}," in message
    assert "is v2.5 (for @authenticated)" in message


def test_a_later_argument_of_an_older_directive_counts() -> None:
    document = parse('type T @key(fields: "id") { id: ID! @override(from: "a", label: "b") }')

    assert required_version(used_federation_features(document)) == (
        (2, 7),
        ["@override(label:)"],
    )
