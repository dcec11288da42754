"""Any HTTP request to a real `inboxgraph serve`'s /graphql gets a GraphQL response below
500, every error coded, and the server logs no traceback."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
from hypothesis import given, note

from tests.fuzz.budget import fuzz_examples, fuzz_settings
from tests.fuzz.envelopes import graphql_requests
from tests.fuzz.responses import assert_graphql_response, assert_no_internal_failure
from tests.fuzz.server import Served

CI_REQUESTS = 1000
REQUEST_TIMEOUT_SECONDS = 90.0


def test_any_request_to_graphql_gets_a_graphql_answer(served: Served) -> None:
    statuses: Counter[int] = Counter()
    log_start, started = served.stderr_size(), time.monotonic()
    with httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS) as client:

        @fuzz_settings(CI_REQUESTS)
        @given(request=graphql_requests(served.url))
        def answered(request: httpx.Request) -> None:
            note(f"{request.method} {request.url}\n{request.headers!r}\n{request.content!r}")
            response = client.send(request)
            statuses[response.status_code] += 1
            content_type = response.headers.get("content-type", "")
            body = assert_graphql_response(response.status_code, content_type, response.content)
            assert_no_internal_failure(body)

        answered()
    elapsed = time.monotonic() - started
    print(f"{sum(statuses.values())} requests in {elapsed:.1f}s, statuses {dict(statuses)}")
    assert sum(statuses.values()) >= fuzz_examples(CI_REQUESTS)
    served.assert_no_traceback(since=log_start)


def post(served: Served, content: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(
        served.url,
        content=content,
        headers={"content-type": content_type, "accept": "application/json"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )


def test_a_json_body_that_is_not_utf8_is_refused_with_a_graphql_error(served: Served) -> None:
    # Found by the fuzzer: Python's json.loads raises UnicodeDecodeError (not a
    # JSONDecodeError) for bytes it cannot decode, and the server answered 500.
    before = served.stderr_size()
    for content in [b"\xff", b'{"query": "\xff"}', b"\x00" * 9]:
        response = post(served, content)
        body = assert_graphql_response(
            response.status_code, response.headers.get("content-type", ""), response.content
        )
        assert response.status_code == 400, body
    served.assert_no_traceback(since=before)


def test_an_unknown_operation_name_with_a_lone_surrogate_is_refused_with_a_graphql_error(
    served: Served,
) -> None:
    # Found by the fuzzer: the refusal repeats the name, and a lone surrogate cannot be
    # encoded as UTF-8, so rendering the refusal failed and the server answered 500.
    before = served.stderr_size()
    envelope = {"query": "query A { __typename }", "operationName": "\ud800"}
    response = post(served, json.dumps(envelope).encode())
    body = assert_graphql_response(
        response.status_code, response.headers.get("content-type", ""), response.content
    )
    assert response.status_code == 400, body
    served.assert_no_traceback(since=before)
