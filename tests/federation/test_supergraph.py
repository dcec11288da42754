"""inboxgraph behind each gateway (Apollo Gateway, Hive Gateway, schema stitching), next to
a CRM subgraph that extends its entities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.stack import Gateway, GatewayClient, GraphQLClient

JANE_CONVERSATION_ID = "f11e8a2c-1234-4567-89ab-cdef01234567"

CONTACTS = "{ contacts { name conversation { id status unreadCount channel contact { name } } } }"

RESULT = """
fragment Result on UpdateConversationResult {
  __typename
  ... on ConversationUpdated {
    provider
    conversation { __typename ... on PuffleConversation { id status unreadCount } }
  }
  ... on UpdateFailed { code message }
}
"""

ARCHIVE_JANE = (
    """
mutation {
  updateConversation(input: {puffle: {id: "f11e8a2c-1234-4567-89ab-cdef01234567", status: ARCHIVED}}) {
    ...Result
  }
}
"""
    + RESULT
)

UPDATE_ONE = (
    """
mutation UpdateOne($input: UpdateConversationInput!) {
  updateConversation(input: $input) { ...Result }
}
"""
    + RESULT
)

TWO_VARIANTS_INLINE = (
    """
mutation {
  updateConversation(input: {
    puffle: {id: "f11e8a2c-1234-4567-89ab-cdef01234567", status: ACTIVE}
    ebay: {conversationId: "1000000000001", conversationType: FROM_MEMBERS, read: true}
  }) { ...Result }
}
"""
    + RESULT
)

TWO_VARIANTS = {
    "puffle": {"id": JANE_CONVERSATION_ID, "status": "ACTIVE"},
    "ebay": {"conversationId": "1000000000001", "conversationType": "FROM_MEMBERS", "read": True},
}


#: Who refuses an input with two variants. Apollo's composition drops @oneOf from the
#: supergraph (apollographql/federation#3204), so Apollo Gateway passes the input on and
#: inboxgraph refuses it; The Guild's composition (Hive) and schema stitching keep @oneOf,
#: so those gateways refuse it themselves (no `serviceName` on the error).
ONE_OF_REFUSED_BY: dict[Gateway, str | None] = {
    "apollo": "inboxgraph",
    "hive": None,
    "stitching": None,
}


def contacts_by_name(gateway: GraphQLClient) -> tuple[dict[str, dict[str, Any]], list[Any]]:
    body = gateway.execute(CONTACTS)
    assert body.get("data") is not None, body
    contacts = {c["name"]: c for c in body["data"]["contacts"]}
    return contacts, body.get("errors", [])


def update(
    gateway: GraphQLClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = gateway.execute(query, variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["updateConversation"]
    return result


def request_headers(gateway: GraphQLClient, headers: dict[str, str]) -> dict[str, str]:
    """The headers the CRM subgraph received for one gateway request."""
    body = gateway.execute("{ requestHeaders }", headers=headers)
    assert "errors" not in body, body["errors"]
    lines: list[str] = body["data"]["requestHeaders"]
    return dict(line.split(": ", 1) for line in lines)


def test_query_spans_both_subgraphs(gateway: GraphQLClient) -> None:
    contacts, _ = contacts_by_name(gateway)

    assert contacts["Jane Doe"]["conversation"] == {
        "id": JANE_CONVERSATION_ID,
        "status": "ACTIVE",
        "unreadCount": 3,
        "channel": "linkedin",
        "contact": {"name": "Jane Doe"},
    }


def test_mutation_through_gateway(gateway: GraphQLClient) -> None:
    try:
        result = update(gateway, ARCHIVE_JANE)

        assert result == {
            "__typename": "ConversationUpdated",
            "provider": "PUFFLE",
            "conversation": {
                "__typename": "PuffleConversation",
                "id": JANE_CONVERSATION_ID,
                "status": "ARCHIVED",
                "unreadCount": 3,
            },
        }
        contacts, _ = contacts_by_name(gateway)
        assert contacts["Jane Doe"]["conversation"]["status"] == "ARCHIVED"
    finally:
        # The session shares one inboxgraph process: leave the seed record as it was.
        restore = {"input": {"puffle": {"id": JANE_CONVERSATION_ID, "status": "ACTIVE"}}}
        assert update(gateway, UPDATE_ONE, restore)["__typename"] == "ConversationUpdated"


@pytest.mark.parametrize(
    ("query", "variables"),
    [(TWO_VARIANTS_INLINE, None), (UPDATE_ONE, {"input": TWO_VARIANTS})],
    ids=["inline", "variables"],
)
def test_one_of_is_enforced_behind_the_gateway(
    gateway: GatewayClient, query: str, variables: dict[str, Any] | None
) -> None:
    body = gateway.execute(query, variables)

    assert body.get("errors"), body
    assert (body.get("data") or {}).get("updateConversation") is None
    assert "ConversationUpdated" not in str(body)
    refused_by = {error.get("extensions", {}).get("serviceName") for error in body["errors"]}
    assert refused_by == {ONE_OF_REFUSED_BY[gateway.gateway]}, body["errors"]


def test_entity_fan_out_isolates_unknown_conversations(gateway: GraphQLClient) -> None:
    contacts, errors = contacts_by_name(gateway)

    assert list(contacts) == ["Jane Doe", "Rob Roe", "Ada Absent", "Lee Offline", "Max Malformed"]
    assert contacts["Jane Doe"]["conversation"]["id"] == JANE_CONVERSATION_ID
    # Another account's conversation, an unknown id, no conversation, a malformed id.
    for name in ("Rob Roe", "Ada Absent", "Lee Offline", "Max Malformed"):
        assert contacts[name]["conversation"] is None, name
    jane_path = ["contacts", 0]
    assert not [e for e in errors if (e.get("path") or [])[:2] == jane_path], errors


def test_gateway_forwards_authorization_and_request_id(gateway: GraphQLClient) -> None:
    seen = request_headers(
        gateway, {"Authorization": "Bearer test-caller", "x-request-id": "req-123"}
    )

    assert seen["authorization"] == "Bearer test-caller"
    assert seen["x-request-id"] == "req-123"


def test_gateway_generates_a_request_id_per_request(gateway: GraphQLClient) -> None:
    first = request_headers(gateway, {})
    second = request_headers(gateway, {})

    assert "authorization" not in first
    assert first["x-request-id"]
    assert second["x-request-id"]
    assert first["x-request-id"] != second["x-request-id"]
