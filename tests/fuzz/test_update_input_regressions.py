"""Inputs the fuzzers found that made an update fail as INTERNAL (with a traceback in the
log): a lone surrogate (`"\\ud800"` in the JSON variables) in any string an update sends.

Python holds it as a str, but it cannot be encoded as UTF-8: quoting it into a URL path
segment raises inside `validate`, and encoding it into a JSON body raises inside the HTTP
client (told as "it may have been sent" although nothing was). Each must be refused as
INVALID_INPUT naming the field, with nothing logged as a failure.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fuzz.responses import logged_failures
from tests.support import UPDATE_ONE, app_client

LONE_SURROGATE = "\ud800"
HIGHLEVEL_MESSAGE = {"messageId": "ve9EPM428h8vShlRW1KT", "status": "READ"}
VCITA_CONVERSATION = {"uid": "89m2pnabgozdvd9f"}

CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "ayrshare.conversationId",
        {
            "ayrshare": {
                "platform": "INSTAGRAM",
                "conversationId": LONE_SURROGATE,
                "status": "ARCHIVED",
            }
        },
    ),
    ("highLevel.messageId", {"highLevel": {"messageId": LONE_SURROGATE, "status": "READ"}}),
    ("vcita.uid", {"vcita": {"uid": LONE_SURROGATE, "archived": True}}),
    (
        "ebay.conversationId",
        {
            "ebay": {
                "conversationId": LONE_SURROGATE,
                "conversationType": "FROM_MEMBERS",
                "read": True,
            }
        },
    ),
    (
        "highLevel.emailMessageId",
        {"highLevel": {**HIGHLEVEL_MESSAGE, "emailMessageId": LONE_SURROGATE}},
    ),
    ("highLevel.recipients", {"highLevel": {**HIGHLEVEL_MESSAGE, "recipients": [LONE_SURROGATE]}}),
    (
        "highLevel.error.message",
        {
            "highLevel": {
                **HIGHLEVEL_MESSAGE,
                "status": "FAILED",
                "error": {"code": "bounced", "type": "email", "message": LONE_SURROGATE},
            }
        },
    ),
    ("vcita.campaign", {"vcita": {**VCITA_CONVERSATION, "campaign": LONE_SURROGATE}}),
    ("vcita.sourceType", {"vcita": {**VCITA_CONVERSATION, "sourceType": LONE_SURROGATE}}),
    (
        "vcita.followUpMessage",
        {"vcita": {**VCITA_CONVERSATION, "followUp": True, "followUpMessage": LONE_SURROGATE}},
    ),
]


@pytest.mark.parametrize(("field", "input"), CASES, ids=[field for field, _ in CASES])
async def test_a_lone_surrogate_is_refused_as_invalid_input(
    field: str, input: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    async with app_client() as client:
        response = await client.post(
            "/graphql",
            # json.dumps writes the lone surrogate as the escape "\ud800".
            content=json.dumps({"query": UPDATE_ONE, "variables": {"input": input}}),
            headers={"content-type": "application/json"},
        )
    body = response.json()
    assert "errors" not in body, body
    result = body["data"]["updateConversation"]
    assert result["__typename"] == "UpdateFailed", result
    assert (result["code"], result["mayHaveBeenApplied"]) == ("INVALID_INPUT", False), result
    assert result["field"].startswith(field), result
    assert not logged_failures(caplog)
