"""Every saved example in graphql/operations works against a fresh sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from tests.support import app_client, graphql

OPERATIONS = sorted(
    (Path(__file__).resolve().parents[1] / "graphql" / "operations").glob("*.graphql")
)
VOLATILE = path_type({r".*updatedAt": (str,)}, regex=True)


def test_every_provider_has_an_example() -> None:
    prefixes = {path.name.split("-")[0] for path in OPERATIONS}
    assert prefixes >= {"ayrshare", "puffle", "highlevel", "vcita", "ebay"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda path: path.stem)
async def test_example_updates_the_sandbox(
    operation: Path, json_snapshot: SnapshotAssertion
) -> None:
    async with app_client() as client:
        body = await graphql(client, operation.read_text())
    assert "errors" not in body, body
    [result] = body["data"].values()
    assert result["__typename"] == "ConversationUpdated", result
    assert body == json_snapshot(matcher=VOLATILE)
