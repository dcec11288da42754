"""Any JSON sent as `UpdateConversationInput` variables, through the whole sandboxed app:
the answer is a BAD_USER_INPUT refusal of the variables, or one result per input, each
ConversationUpdated or UpdateFailed, never an internal failure and never a traceback."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.fuzz.budget import fuzz_settings
from tests.fuzz.inputs import update_inputs
from tests.fuzz.responses import assert_graphql_response, logged_failures
from tests.support import UPDATE_MANY, UPDATE_ONE, app_client

CI_EXAMPLES = 200
RESULT_TYPES = frozenset({"ConversationUpdated", "UpdateFailed"})


def test_any_update_input_gets_a_result_each_or_a_bad_user_input_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = asyncio.Runner()
    client = app_client()
    outcomes: set[str] = set()

    async def post(document: str, variables: dict[str, Any]) -> tuple[int, str, bytes]:
        # json.dumps escapes lone surrogates and writes NaN/Infinity, which the server reads.
        content = json.dumps({"query": document, "variables": variables})
        response = await client.post(
            "/graphql", content=content, headers={"content-type": "application/json"}
        )
        return response.status_code, response.headers.get("content-type", ""), response.content

    @fuzz_settings(CI_EXAMPLES)
    @given(inputs=st.lists(update_inputs(), min_size=1, max_size=4), batched=st.booleans())
    def answered(inputs: list[Any], batched: bool) -> None:
        caplog.clear()
        if batched:
            document, variables, root = UPDATE_MANY, {"inputs": inputs}, "updateConversations"
        else:
            inputs = inputs[:1]
            document, variables, root = UPDATE_ONE, {"input": inputs[0]}, "updateConversation"
        note(f"variables: {json.dumps(variables)}")
        body = assert_graphql_response(*runner.run(post(document, variables)))
        assert not logged_failures(caplog)
        if body.get("errors"):
            outcomes.add("refused")
            assert body.get("data") is None, body
            assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}, body
            return
        data = body["data"][root]
        results = data if batched else [data]
        assert len(results) == len(inputs), body
        for result in results:
            outcomes.add(result["__typename"])
            assert result["__typename"] in RESULT_TYPES, result
            if result["__typename"] == "UpdateFailed":
                outcomes.add(result["code"])
                assert result["code"] != "INTERNAL", result

    try:
        answered()
    finally:
        runner.run(client.aclose())
        runner.close()
    print(f"outcomes seen: {sorted(outcomes)}")
    assert {"refused", "ConversationUpdated", "UpdateFailed", "INVALID_INPUT"} <= outcomes
