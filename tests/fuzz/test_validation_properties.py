"""Properties of every provider's validation, on arbitrary update records.

- `validate` returns, or raises `InvalidInput` naming a field of that provider's
  `UpdateConversationInput` variant; never any other exception.
- An update `validate` accepts builds a request (`build_update` does not raise) that
  the shared HTTP client can send, whose path has no `?` or `#`, has as many segments as
  the path of a plain update, and carries each id as one percent-encoded segment.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from inboxgraph.config import load_settings
from inboxgraph.domain.provider import ConversationUpdate, Provider
from inboxgraph.providers.base import ProviderAdapter, UpstreamRequest
from inboxgraph.providers.errors import InvalidInput
from inboxgraph.providers.registry import build_adapters
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.inputs import field_paths, names_an_input_field, update_variants
from tests.fuzz.records import records_of, update_type_of

CI_EXAMPLES = 200
ADAPTERS = build_adapters(load_settings({}))
PROVIDERS = sorted(ADAPTERS, key=lambda provider: provider.name)
#: What stands in for every string of an update when working out its path's shape.
PLAIN = "plain"


def updates(provider: Provider) -> st.SearchStrategy[Any]:
    return records_of(update_type_of(ADAPTERS[provider]))


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda provider: provider.name)
def test_validate_returns_or_refuses_naming_one_of_its_input_fields(provider: Provider) -> None:
    adapter = ADAPTERS[provider]
    key, variant = update_variants()[provider]
    outcomes: set[str] = set()

    @fuzz_settings(CI_EXAMPLES)
    @given(update=updates(provider))
    def returns_or_refuses(update: ConversationUpdate) -> None:
        note(f"update: {update!r}")
        try:
            adapter.validate(update)
        except InvalidInput as refusal:
            outcomes.add("refused")
            assert names_an_input_field(provider, refusal.field), (
                f"InvalidInput names {refusal.field!r}, which is not one of "
                f"{sorted(field_paths(key, variant))}"
            )
        else:
            outcomes.add("accepted")

    returns_or_refuses()
    assert outcomes == {"accepted", "refused"}, f"only {outcomes}: the strategy is too narrow"


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda provider: provider.name)
def test_an_accepted_update_builds_a_sendable_request_with_its_ids_in_one_segment_each(
    provider: Provider,
) -> None:
    adapter = ADAPTERS[provider]
    accepted = 0

    @fuzz_settings(CI_EXAMPLES)
    @given(update=updates(provider))
    def builds(update: ConversationUpdate) -> None:
        nonlocal accepted
        note(f"update: {update!r}")
        try:
            adapter.validate(update)
        except InvalidInput:
            return
        accepted += 1
        request = adapter.build_update(update)
        note(f"built {request!r}")
        assert_ids_stay_in_their_segments(adapter, update, request)
        assert_sendable(adapter, request)

    builds()
    assert accepted > 0, "no generated update was accepted: the property was never checked"


def assert_ids_stay_in_their_segments(
    adapter: ProviderAdapter[Any, Any, Any], update: ConversationUpdate, request: UpstreamRequest
) -> None:
    assert "?" not in request.path and "#" not in request.path, request.path
    segments = request.path.split("/")
    plain_segments = adapter.build_update(with_plain_strings(update)).path.split("/")
    assert len(segments) == len(plain_segments), (
        f"{request.path!r} has another shape than {'/'.join(plain_segments)!r}"
    )
    strings = string_values(update)
    for segment, plain in zip(segments, plain_segments, strict=True):
        if segment != plain:
            assert segment not in {".", ".."}, request.path
            assert unquote(segment) in strings, f"{segment!r} is none of the update's strings"


def assert_sendable(adapter: ProviderAdapter[Any, Any, Any], request: UpstreamRequest) -> None:
    """The request as `providers.transport` hands it to httpx can be encoded."""
    try:
        httpx.Request(
            request.method,
            adapter.default_base_url + request.path,
            json=request.json,
            params=request.params or None,
            headers={**adapter.static_headers, **adapter.auth_headers("token"), **request.headers},
        )
    except Exception as error:
        raise AssertionError(
            f"{adapter.display_name} accepted an update whose request cannot be sent: "
            f"{type(error).__name__}: {error}"
        ) from error


def with_plain_strings(update: ConversationUpdate) -> ConversationUpdate:
    """The same update with every top-level string replaced by a plain word."""
    assert dataclasses.is_dataclass(update)
    strings = {
        field.name: PLAIN
        for field in dataclasses.fields(update)
        if isinstance(getattr(update, field.name), str)
    }
    return dataclasses.replace(update, **strings)


def string_values(update: ConversationUpdate) -> set[str]:
    assert dataclasses.is_dataclass(update)
    return {
        value
        for field in dataclasses.fields(update)
        if isinstance(value := getattr(update, field.name), str)
    }
