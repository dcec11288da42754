"""Whole HTTP requests to /graphql: the GraphQL-over-HTTP envelope itself fuzzed.

JSON bodies with any `query`, `variables`, `operationName` and `extensions` (lone
surrogates, NaN, huge numbers, wrong types, missing or extra keys), bodies that are not
JSON or not UTF-8 under any content type, and GET requests with any query string.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_from_bytes

import graphql
import httpx
from hypothesis import strategies as st

from tests.fuzz.inputs import graphql_schema, input_values, json_scalars, json_values, update_inputs
from tests.fuzz.values import wild_texts
from tests.support import UPDATE_MANY, UPDATE_ONE

DOCUMENTS = [
    UPDATE_ONE,
    UPDATE_MANY,
    "{ providers { provider mode } }",
    "query Read($ref: ConversationRef!) { conversation(ref: $ref) { __typename } }",
    "query Entities($representations: [_Any!]!) {"
    " _entities(representations: $representations) { __typename } }",
    "query A { __typename } query B { providers { mode } }",
    "{ _service { sdl } }",
    "subscription Watch { providers { mode } }",
    "mutation { __typename }",
]
OPERATION_NAMES = ["UpdateOne", "UpdateMany", "Read", "Entities", "A", "B", "Watch"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/graphql-response+json",
    "application/graphql",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=fuzz",
    "text/plain",
    "",
]
ACCEPTS = [
    "application/json",
    "application/graphql-response+json",
    "application/graphql-response+json, application/json;q=0.9",
    "*/*",
    "",
]
#: A header value h11 sends: visible ASCII (no whitespace at either end).
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=140)


def documents() -> st.SearchStrategy[str]:
    """Real documents, real documents with something inserted, and any text."""
    spliced = st.tuples(st.sampled_from(DOCUMENTS), st.integers(0, 600), wild_texts(6)).map(
        lambda parts: parts[0][: parts[1]] + parts[2] + parts[0][parts[1] :]
    )
    return st.one_of(st.sampled_from(DOCUMENTS), spliced, wild_texts(200))


def variables() -> st.SearchStrategy[Any]:
    ref_type = graphql_schema().type_map["ConversationRef"]
    assert isinstance(ref_type, graphql.GraphQLInputObjectType)
    return st.one_of(
        st.fixed_dictionaries({"input": update_inputs()}),
        st.fixed_dictionaries({"inputs": st.lists(update_inputs(), max_size=3)}),
        st.fixed_dictionaries({"ref": input_values(ref_type)}),
        st.fixed_dictionaries({"representations": st.lists(json_values(), max_size=4)}),
        json_values(),
    )


def envelopes() -> st.SearchStrategy[Any]:
    """A GraphQL-over-HTTP request body as JSON: mostly an object, any of its keys."""
    fields = {
        "query": st.one_of(documents(), json_scalars()),
        "variables": variables(),
        "operationName": st.one_of(
            st.sampled_from(OPERATION_NAMES), wild_texts(20), json_scalars()
        ),
        "extensions": json_values(),
    }
    return st.one_of(st.fixed_dictionaries({}, optional=fields), json_values())


def headers() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {"accept": st.sampled_from(ACCEPTS)}, optional={"x-request-id": _HEADER_TEXT}
    )


def graphql_requests(url: str) -> st.SearchStrategy[httpx.Request]:
    """POSTs of JSON envelopes, POSTs of any bytes, and GETs with any query string."""
    json_posts = st.builds(
        lambda body, sent: httpx.Request(
            "POST",
            url,
            # json.dumps escapes lone surrogates and writes NaN, which the server reads.
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json", **sent},
        ),
        envelopes(),
        headers(),
    )
    raw_posts = st.builds(
        lambda content, content_type, sent: httpx.Request(
            "POST", url, content=content, headers={"content-type": content_type, **sent}
        ),
        st.one_of(
            st.binary(max_size=300), envelopes().map(lambda body: json.dumps(body)[:-1].encode())
        ),
        st.sampled_from(CONTENT_TYPES),
        headers(),
    )
    gets = st.builds(
        lambda query, extra, sent: httpx.Request(
            "GET", f"{url}?query={quote_from_bytes(query)}{extra}", headers=sent
        ),
        st.one_of(documents().map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary()),
        st.one_of(
            st.just(""),
            variables().map(
                lambda value: "&variables=" + quote_from_bytes(json.dumps(value).encode())
            ),
            wild_texts(20).map(
                lambda name: (
                    "&operationName=" + quote_from_bytes(name.encode("utf-8", "surrogatepass"))
                )
            ),
        ),
        headers(),
    )
    return st.one_of(json_posts, raw_posts, gets)
