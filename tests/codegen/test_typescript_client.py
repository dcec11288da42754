"""graphql-codegen's TypeScript types for the example operations pass `tsc --noEmit`.

tests/federation/codegen.ts generates schema.ts (`typescript`) and operations.ts
(`typescript-operations`) from graphql/schema.graphql and graphql/operations/*.graphql;
tests/federation/typed-client.ts, type-checked next to them, uses a result through its
union and each custom scalar as the type it is mapped to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from tests.codegen.ariadne import OPERATIONS_DIR
from tests.federation.stack import FEDERATION_DIR, ensure_node_modules, require_tool

BIN = FEDERATION_DIR / "node_modules" / ".bin"
TYPED_CLIENT = FEDERATION_DIR / "typed-client.ts"
TSC_OPTIONS = [
    "--noEmit",
    "--strict",
    "--target",
    "es2022",
    "--module",
    "preserve",
    "--moduleResolution",
    "bundler",
]
TIMEOUT_SECONDS = 120.0


def graphql_codegen(out: Path, documents: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEGEN_OUT": str(out)}
    if documents is not None:
        env["CODEGEN_DOCUMENTS"] = documents
    return subprocess.run(
        [str(BIN / "graphql-codegen"), "--config", "codegen.ts"],
        cwd=FEDERATION_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def tsc(directory: Path) -> subprocess.CompletedProcess[str]:
    """`tsc --noEmit` over every .ts file in `directory`."""
    files = sorted(p.name for p in directory.glob("*.ts"))
    return subprocess.run(
        [str(BIN / "tsc"), *TSC_OPTIONS, *files],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("node")
    ensure_node_modules()
    out = tmp_path_factory.mktemp("graphql-codegen")
    done = graphql_codegen(out)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    return out


def with_typed_client(generated: Path, destination: Path, source: str) -> Path:
    for name in ("schema.ts", "operations.ts"):
        shutil.copy(generated / name, destination / name)
    (destination / TYPED_CLIENT.name).write_text(source)
    return destination


def test_every_operation_gets_types_mapping_the_custom_scalars(generated: Path) -> None:
    schema = (generated / "schema.ts").read_text()
    operations = (generated / "operations.ts").read_text()

    assert "SafeInt: { input: number; output: number; }" in schema
    assert "DateTime: { input: string; output: string; }" in schema
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name, f"{path.name}: the operation has no name"
                kind = definition.operation.value.capitalize()
                assert f"export type {definition.name.value}{kind} = " in operations, path.name


def test_generated_types_and_their_use_type_check(generated: Path, tmp_path: Path) -> None:
    checked = with_typed_client(generated, tmp_path, TYPED_CLIENT.read_text())

    done = tsc(checked)

    assert done.returncode == 0, done.stdout + done.stderr


def test_a_use_against_the_mapping_fails_the_type_check(generated: Path, tmp_path: Path) -> None:
    # The check is real: reading the SafeInt `unreadCount` as a string is an error.
    source = TYPED_CLIENT.read_text()
    wrong = source.replace("const unread: number =", "const unread: string =", 1)
    assert wrong != source

    done = tsc(with_typed_client(generated, tmp_path, wrong))

    assert done.returncode != 0
    assert "typed-client.ts" in done.stdout
    assert "Type 'number' is not assignable to type 'string'" in done.stdout


def test_an_operation_that_does_not_match_the_schema_fails_codegen(tmp_path: Path) -> None:
    stale = tmp_path / "stale.graphql"
    stale.write_text(
        'mutation Stale { updateConversation(input: {puffle: {id: "x", status: ARCHIVED}})'
        " { ... on ConversationUpdated { archivedAt } } }"
    )

    done = graphql_codegen(tmp_path / "out", documents=str(stale))

    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert 'Cannot query field "archivedAt" on type "ConversationUpdated"' in output
    assert not (tmp_path / "out" / "operations.ts").exists()
