"""One exception for every provider failure: immutable, mapped once from HTTP statuses."""

from __future__ import annotations

import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.errors import (
    ErrorDetails,
    InvalidInput,
    ProviderError,
    code_for_status,
    error_from_status,
)


def test_an_error_cannot_be_changed_only_copied() -> None:
    error = ProviderError(UpdateErrorCode.FORBIDDEN, "refused", provider_status=403)
    with pytest.raises(AttributeError):
        error.message = "changed"  # type: ignore[misc]
    told = error.with_message("refused, and why")
    assert (error.message, told.message) == ("refused", "refused, and why")
    assert (told.code, told.provider_status) == (UpdateErrorCode.FORBIDDEN, 403)


def test_retryable_follows_the_code_unless_told() -> None:
    assert ProviderError(UpdateErrorCode.TIMEOUT, "slow").retryable is True
    assert ProviderError(UpdateErrorCode.NOT_FOUND, "gone").retryable is False
    assert ProviderError(UpdateErrorCode.TIMEOUT, "slow", retryable=False).retryable is False


def test_an_error_becomes_the_failed_outcome_of_its_provider() -> None:
    error = InvalidInput("puffle.id", "must be a UUID")
    assert error.failed(Provider.PUFFLE) == UpdateFailed(
        provider=Provider.PUFFLE,
        code=UpdateErrorCode.INVALID_INPUT,
        message="puffle.id: must be a UUID",
        field="puffle.id",
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, UpdateErrorCode.UNAUTHENTICATED),
        (403, UpdateErrorCode.FORBIDDEN),
        (404, UpdateErrorCode.NOT_FOUND),
        (429, UpdateErrorCode.RATE_LIMITED),
        (500, UpdateErrorCode.UPSTREAM_UNAVAILABLE),
        (503, UpdateErrorCode.UPSTREAM_UNAVAILABLE),
        (400, UpdateErrorCode.UPSTREAM_ERROR),
        (409, UpdateErrorCode.UPSTREAM_ERROR),
    ],
)
def test_one_mapper_for_every_status(status: int, code: UpdateErrorCode) -> None:
    assert code_for_status(status) is code


def test_the_providers_own_details_refine_the_status() -> None:
    error = error_from_status(
        "eBay",
        400,
        ErrorDetails(UpdateErrorCode.NOT_FOUND, "355007", "unknown", retryable=False),
        retry_after=None,
    )
    assert (error.code, error.provider_code, error.message) == (
        UpdateErrorCode.NOT_FOUND,
        "355007",
        "eBay answered HTTP 400: unknown",
    )


def test_a_wait_the_provider_asked_for_is_kept_and_told() -> None:
    error = error_from_status("Puffle", 429, ErrorDetails(), retry_after=30.0)
    assert error.retry_after == 30.0
    assert error.message == "Puffle answered HTTP 429 (retry after 30 s)"
