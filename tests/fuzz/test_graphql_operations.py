"""schemathesis against a real `inboxgraph serve`: whatever operation is sent, the answer
is a GraphQL response below 500, every error coded, and nothing is logged as a traceback."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st
from schemathesis import Case

from tests.fuzz.budget import fuzz_examples, fuzz_settings
from tests.fuzz.operations import load_schema, operation_cases, root_operations
from tests.fuzz.responses import assert_graphql_response, assert_no_internal_failure
from tests.fuzz.server import Served

#: Generated operations per CI run; INBOXGRAPH_FUZZ_EXAMPLES raises it.
CI_OPERATIONS = 1000
#: Longer than the server's own request deadline (60 s): a hang is reported, not waited out.
REQUEST_TIMEOUT_SECONDS = 90.0
ACCEPTS = ["application/json", "application/graphql-response+json", "*/*"]


def test_every_generated_operation_gets_a_graphql_answer(served: Served) -> None:
    schema = load_schema(served.url)
    sent: Counter[str] = Counter()
    log_start, started = served.stderr_size(), time.monotonic()

    @fuzz_settings(CI_OPERATIONS)
    @given(case=operation_cases(schema), accept=st.sampled_from(ACCEPTS))
    def answered(case: Case[Any], accept: str) -> None:
        note(f"POST {served.url} (Accept: {accept})\n{case.body!s}")
        response = case.call(
            base_url=served.url, headers={"Accept": accept}, timeout=REQUEST_TIMEOUT_SECONDS
        )
        sent[case.operation.label] += 1
        content_type = response.headers.get("content-type", [""])[0]
        body = assert_graphql_response(response.status_code, content_type, response.content)
        assert_no_internal_failure(body)

    answered()
    elapsed = time.monotonic() - started
    print(f"{sum(sent.values())} operations in {elapsed:.1f}s: {dict(sorted(sent.items()))}")
    assert sum(sent.values()) >= fuzz_examples(CI_OPERATIONS)
    assert set(sent) == {operation.label for operation in root_operations(schema)}
    served.assert_no_traceback(since=log_start)
