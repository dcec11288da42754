"""GraphiQL at /graphql in a real browser (Debian's headless Chromium), on a page that may
reach this machine only: the examples are open as tabs, a mutation typed on the keyboard
runs, and the page loads nothing from anywhere else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.harness import ARTIFACTS_DIR, drive_graphiql, require_browser_tools, served

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "graphql" / "operations"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

TYPED_MUTATION = (
    'mutation MarkEbayNoticeRead { updateConversation(input: {ebay: {conversationId: "1000000000002",'
    " conversationType: FROM_EBAY, read: true}}) { __typename ... on ConversationUpdated"
    " { conversation { ... on EbayConversation { id read } } } } }"
)
MARKED_READ = {
    "updateConversation": {
        "__typename": "ConversationUpdated",
        "conversation": {"id": "1000000000002", "read": True},
    }
}
API_TOKEN = "playground-browser-test-token"


@pytest.fixture(scope="module")
def node() -> str:
    return require_browser_tools()


def example_operation_names() -> list[str]:
    """The operation name of each graphql/operations/*.graphql, in file name order."""
    names = []
    for path in sorted(OPERATIONS_DIR.glob("*.graphql")):
        found = re.search(r"^(?:query|mutation|subscription)\s+(\w+)", path.read_text(), re.M)
        assert found, f"{path.name} has no named operation"
        names.append(found[1])
    return names


def assert_nothing_left_the_machine(report: dict[str, Any], origin: str) -> None:
    assert report["aborted"] == [], "the page tried to reach another host"
    assert report["websockets"] == []
    outside = [r for r in report["requests"] if not r.split(" ", 1)[1].startswith(f"{origin}/")]
    assert outside == []
    assert report["pageErrors"] == []
    assert report["failedRequests"] == []


def test_a_typed_mutation_runs_with_nothing_from_the_internet(node: str, tmp_path: Path) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    screenshot = ARTIFACTS_DIR / "graphiql.png"
    screenshot.unlink(missing_ok=True)
    with served(tmp_path / "serve.log") as origin:
        report = drive_graphiql(
            node,
            f"{origin}/graphql",
            TYPED_MUTATION,
            run_tab="MarkEbayConversationRead",
            screenshot=str(screenshot),
        )
        read_back = httpx.post(
            f"{origin}/graphql",
            json={
                "query": '{ conversation(ref: {ebay: {id: "1000000000002", conversationType: FROM_EBAY}})'
                " { ... on EbayConversation { read } } }"
            },
        ).json()

    assert report["tabs"] == example_operation_names()
    [example, typed] = report["results"]
    assert example["response"]["data"]["updateConversation"]["__typename"] == "ConversationUpdated"
    # Typed key by key into CodeMirror, the editor holds exactly the document.
    assert report["typedQuery"] == TYPED_MUTATION
    assert report["tabsAfter"][-1] == "MarkEbayNoticeRead"
    assert typed["response"] == {"data": MARKED_READ}
    assert read_back == {"data": {"conversation": {"read": True}}}
    # The explorer plugin is loaded and got the schema by introspection.
    assert "updateConversations" in report["explorer"]
    # The schema, the example tab, the typed mutation: nothing else was sent.
    assert len(report["graphqlRequests"]) == 3
    assert report["graphqlRequests"][0]["operationName"] == "IntrospectionQuery"
    assert_nothing_left_the_machine(report, origin)
    # Every response was a success and nothing was refused (a CSP violation is an error).
    assert report["failedResponses"] == []
    assert report["consoleErrors"] == []
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


def test_the_token_for_a_protected_graphql_goes_in_the_headers_editor(
    node: str, tmp_path: Path
) -> None:
    with served(tmp_path / "serve.log", INBOXGRAPH_API_TOKEN=API_TOKEN) as origin:
        report = drive_graphiql(
            node,
            f"{origin}/graphql",
            TYPED_MUTATION,
            headers=f'{{"Authorization": "Bearer {API_TOKEN}"}}',
        )

    # The page and its assets are open; GraphQL is not, until the token is in the headers.
    assert report["tabs"] == example_operation_names()
    [refused, allowed] = report["results"]
    assert [e["extensions"]["code"] for e in refused["response"]["errors"]] == ["UNAUTHENTICATED"]
    assert allowed["response"] == {"data": MARKED_READ}
    # From the moment it is typed, every request carries it, the schema's among them.
    sent = [r["authorization"] == f"Bearer {API_TOKEN}" for r in report["graphqlRequests"]]
    typed_at = sent.index(True)
    assert not any(sent[:typed_at]) and all(sent[typed_at:])
    after = report["graphqlRequests"][typed_at:]
    assert len(after) >= 2 and "IntrospectionQuery" in {r["operationName"] for r in after}
    assert "updateConversations" in report["explorer"]
    assert_nothing_left_the_machine(report, origin)
    # Only GraphQL requests sent without the token failed, each with a 401.
    assert report["failedResponses"]
    assert set(report["failedResponses"]) == {f"401 POST {origin}/graphql"}
    assert all("401 (Unauthorized)" in error for error in report["consoleErrors"])
