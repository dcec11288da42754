"""README's promises: its commands are the ones CI runs, its examples the saved ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from inboxgraph.api.schema import schema
from tests.support import app_client, graphql

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = next(block.strip() for block in _shell_blocks() if "pytest" in block)
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_the_serve_command_starts_the_console_script() -> None:
    serve_command = _shell_blocks()[0].strip()
    assert serve_command.endswith("inboxgraph serve")
    assert 'inboxgraph = "inboxgraph.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_every_saved_operation_is_shown_in_the_readme() -> None:
    for operation in sorted((ROOT / "graphql" / "operations").glob("*.graphql")):
        assert operation.read_text().strip() in README, f"{operation.name} is not in README.md"


GRAPHQL_EXAMPLES = re.findall(r"```graphql\n(.*?)```", README, flags=re.DOTALL)


def _name(document: str) -> str:
    return document.split("{")[0].strip() or "anonymous"


@pytest.mark.parametrize(
    "document",
    [d for d in GRAPHQL_EXAMPLES if not d.startswith("subscription")],
    ids=_name,
)
async def test_every_graphql_example_runs_against_a_fresh_sandbox(document: str) -> None:
    async with app_client() as client:
        body = await graphql(client, document)
    assert "errors" not in body, body


@pytest.mark.parametrize(
    "document", [d for d in GRAPHQL_EXAMPLES if d.startswith("subscription")], ids=_name
)
def test_every_subscription_example_is_valid(document: str) -> None:
    # A subscription needs a websocket (tests/jobs/test_subscriptions.py runs one).
    assert validate(schema._schema, parse(document)) == []
