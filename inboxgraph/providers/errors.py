"""One exception hierarchy and one status-code mapper for every provider."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from inboxgraph.schema.enums import UpdateErrorCode


class ProviderError(Exception):
    """An update or read that did not succeed, described in the contract's terms.

    The message is shown to API callers: it must never contain credentials.
    """

    def __init__(
        self,
        code: UpdateErrorCode,
        message: str,
        *,
        field: str | None = None,
        provider_status: int | None = None,
        provider_code: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.provider_status = provider_status
        self.provider_code = provider_code
        self.retryable = code in RETRYABLE_CODES if retryable is None else retryable


class InvalidInput(ProviderError):
    """The input breaks a documented rule: nothing is sent upstream."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(UpdateErrorCode.INVALID_INPUT, f"{field}: {rule}", field=field)


class ReadUnsupported(ProviderError):
    """The provider publishes no endpoint that reads this without side effects."""

    def __init__(self, message: str) -> None:
        super().__init__(UpdateErrorCode.UPSTREAM_ERROR, message, retryable=False)


RETRYABLE_CODES = frozenset(
    {
        UpdateErrorCode.RATE_LIMITED,
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        UpdateErrorCode.TIMEOUT,
    }
)


@dataclass(frozen=True)
class ErrorDetails:
    """What a provider's own error body says, read by the adapter's hook."""

    code: UpdateErrorCode | None = None
    provider_code: str | None = None
    message: str | None = None
    retryable: bool | None = None


def code_for_status(status: int) -> UpdateErrorCode:
    """The contract's error code for an HTTP error status, before provider refinement."""
    if status == 401:
        return UpdateErrorCode.UNAUTHENTICATED
    if status == 403:
        return UpdateErrorCode.FORBIDDEN
    if status == 404:
        return UpdateErrorCode.NOT_FOUND
    if status == 429:
        return UpdateErrorCode.RATE_LIMITED
    if status >= 500:
        return UpdateErrorCode.UPSTREAM_UNAVAILABLE
    return UpdateErrorCode.UPSTREAM_ERROR


def error_from_status(provider_name: str, status: int, details: ErrorDetails) -> ProviderError:
    """Map an HTTP error answer (status plus the provider's parsed error body)."""
    code = details.code or code_for_status(status)
    message = f"{provider_name} answered HTTP {status}"
    if details.message:
        message = f"{message}: {details.message}"
    return ProviderError(
        code,
        message,
        provider_status=status,
        provider_code=details.provider_code,
        retryable=details.retryable,
    )


def error_from_transport(provider_name: str, exc: httpx.TransportError) -> ProviderError:
    """Map a failure to get any answer. Only the exception's class is used, never its text."""
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(UpdateErrorCode.TIMEOUT, f"{provider_name} did not answer in time")
    return ProviderError(
        UpdateErrorCode.UPSTREAM_UNAVAILABLE,
        f"{provider_name} could not be reached ({type(exc).__name__})",
    )
