"""One exception and one status-code mapper for every provider."""

from __future__ import annotations

from dataclasses import dataclass

from inboxgraph.domain.outcomes import RETRYABLE_CODES, UpdateErrorCode, UpdateFailed
from inboxgraph.domain.provider import Provider


class ProviderError(Exception):
    """An update or read that did not succeed, described in the contract's terms.

    Immutable: `with_message` and `replace` make a changed copy. The message is shown
    to API callers, so it never holds a credential.
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
        may_have_been_applied: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self._code = code
        self._message = message
        self._field = field
        self._provider_status = provider_status
        self._provider_code = provider_code
        self._retryable = code in RETRYABLE_CODES if retryable is None else retryable
        self._may_have_been_applied = may_have_been_applied
        self._retry_after = retry_after

    @property
    def code(self) -> UpdateErrorCode:
        return self._code

    @property
    def message(self) -> str:
        return self._message

    @property
    def field(self) -> str | None:
        return self._field

    @property
    def provider_status(self) -> int | None:
        return self._provider_status

    @property
    def provider_code(self) -> str | None:
        return self._provider_code

    @property
    def retryable(self) -> bool:
        return self._retryable

    @property
    def may_have_been_applied(self) -> bool:
        return self._may_have_been_applied

    @property
    def retry_after(self) -> float | None:
        """Seconds the provider asked to wait before the next request, when it said."""
        return self._retry_after

    def with_message(self, message: str) -> ProviderError:
        """The same failure, told with another message."""
        return self.told(message, self._provider_code)

    def told(self, message: str, provider_code: str | None) -> ProviderError:
        """The same failure, with its provider-derived texts replaced."""
        return ProviderError(
            self._code,
            message,
            field=self._field,
            provider_status=self._provider_status,
            provider_code=provider_code,
            retryable=self._retryable,
            may_have_been_applied=self._may_have_been_applied,
            retry_after=self._retry_after,
        )

    def replace(
        self,
        *,
        message: str | None = None,
        retryable: bool | None = None,
        may_have_been_applied: bool | None = None,
    ) -> ProviderError:
        """The same failure with what is given changed."""
        return ProviderError(
            self._code,
            self._message if message is None else message,
            field=self._field,
            provider_status=self._provider_status,
            provider_code=self._provider_code,
            retryable=self._retryable if retryable is None else retryable,
            may_have_been_applied=(
                self._may_have_been_applied
                if may_have_been_applied is None
                else may_have_been_applied
            ),
            retry_after=self._retry_after,
        )

    def failed(self, provider: Provider) -> UpdateFailed:
        """This failure as the outcome of an update to `provider`."""
        return UpdateFailed(
            provider=provider,
            code=self._code,
            message=self._message,
            field=self._field,
            provider_status=self._provider_status,
            provider_code=self._provider_code,
            retryable=self._retryable,
            may_have_been_applied=self._may_have_been_applied,
        )


class InvalidInput(ProviderError):
    """The input breaks a documented rule: nothing is sent upstream."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(UpdateErrorCode.INVALID_INPUT, f"{field}: {rule}", field=field)


class ReadUnsupported(ProviderError):
    """The provider publishes no endpoint that reads this without side effects."""

    def __init__(self, message: str) -> None:
        super().__init__(UpdateErrorCode.UPSTREAM_ERROR, message, retryable=False)


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


#: The longest provider-derived text told to a caller; a longer one is cut (after
#: masking credentials, so a cut can never leave part of one behind).
MAX_PROVIDER_MESSAGE_CHARS = 500


def error_from_status(
    provider_name: str, status: int, details: ErrorDetails, *, retry_after: float | None = None
) -> ProviderError:
    """Map an HTTP error answer (status plus the provider's parsed error body)."""
    code = details.code or code_for_status(status)
    message = f"{provider_name} answered HTTP {status}"
    if details.message:
        message = f"{message}: {details.message}"
    if retry_after is not None:
        message = f"{message} (retry after {retry_after:g} s)"
    return ProviderError(
        code,
        message,
        provider_status=status,
        provider_code=details.provider_code,
        retryable=details.retryable,
        retry_after=retry_after,
    )
