"""`_entities`: a bad representation is null at its index with an error at its path."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support import app_client, graphql

ENTITIES = """
query($r: [_Any!]!) {
  _entities(representations: $r) { __typename ... on PuffleConversation { id status } }
}
"""
MINE = {"__typename": "PuffleConversation", "id": "f11e8a2c-1234-4567-89ab-cdef01234567"}


@pytest.mark.parametrize(
    ("bad", "told"),
    [
        ({"id": "1"}, "representations[1] has no __typename"),
        ({"__typename": "Nope", "id": "1"}, "'Nope' is not an entity of this subgraph"),
        ({"__typename": "ProviderInfo"}, "'ProviderInfo' is not an entity of this subgraph"),
        (
            {"__typename": "AyrshareConversation", "id": "1"},
            "AyrshareConversation needs its key field(s) platform",
        ),
        (
            {"__typename": "AyrshareConversation", "id": "1", "platform": "MYSPACE"},
            "'MYSPACE' is not a AyrsharePlatform value",
        ),
        ("just a string", "representations[1] must be an object"),
        ({"__typename": 5}, "representations[1] has no __typename"),
    ],
)
async def test_a_bad_representation_fails_only_its_index(
    bad: Any, told: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with app_client() as client:
        body = await graphql(client, ENTITIES, {"r": [MINE, bad, MINE]})
    entities = body["data"]["_entities"]
    assert entities[0]["id"] == entities[2]["id"] == MINE["id"]
    assert entities[1] is None
    [error] = body["errors"]
    assert error["path"] == ["_entities", 1]
    assert told in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_extra_fields_in_a_representation_are_ignored() -> None:
    async with app_client() as client:
        body = await graphql(client, ENTITIES, {"r": [{**MINE, "contact": {"name": "x"}}]})
    assert "errors" not in body
    assert body["data"]["_entities"][0]["id"] == MINE["id"]
