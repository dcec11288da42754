"""The one place where provider HTTP calls happen: auth, pacing, retries, errors,
redaction, metrics and the per-call log line (DEBUG)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from typing import Any, Generic

import httpx

from inboxgraph.config import DEFAULT_TENANT
from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.observability.metrics import UpstreamMetrics
from inboxgraph.providers.base import (
    ConversationT,
    ProviderAdapter,
    RefT,
    UpdateT,
    UpstreamRequest,
    UpstreamResponse,
)
from inboxgraph.providers.errors import (
    MAX_PROVIDER_MESSAGE_CHARS,
    ProviderError,
    ReadUnsupported,
    error_from_status,
)
from inboxgraph.providers.pacing import Budgets, LocalBudgets, Pacer
from inboxgraph.providers.retries import NO_RETRIES, RetryPolicy, is_transient, proves_not_applied
from inboxgraph.providers.transport import exchange
from inboxgraph.request_scope import seconds_left
from inboxgraph.secrets import Redactor, Secret

logger = logging.getLogger("inboxgraph.providers")

#: How long to send nothing after a 429 that does not say how long to wait.
DEFAULT_RATE_LIMITED_WAIT = 1.0

#: An adapter's say on a failure (`ProviderAdapter.after_failure` for one update): seconds
#: to wait before sending again, or the error to go on with.
AdapterRetry = Callable[[ProviderError, int], Awaitable[float | ProviderError]]


class ProviderClient(Generic[UpdateT, ConversationT, RefT]):
    """One provider account: its adapter, where and how to reach it, and its pacing."""

    def __init__(
        self,
        adapter: ProviderAdapter[UpdateT, ConversationT, RefT],
        http: httpx.AsyncClient,
        *,
        base_url: str | None,
        token: Secret | None,
        redactor: Redactor,
        not_configured_reason: str | None = None,
        max_pacing_wait: float = 2.0,
        timeout_seconds: float = 10.0,
        max_response_bytes: int = 1_048_576,
        budgets: Budgets | None = None,
        budget_prefix: str = "",
        tenant: str = DEFAULT_TENANT,
        retries: RetryPolicy = NO_RETRIES,
    ) -> None:
        """`budgets` keeps this account's rate-limit budgets and waits (this process's
        memory by default); `budget_prefix` names the account in it; `tenant` labels its
        metrics; `retries` says how transient failures of requests safe to repeat are sent
        again (never, by default)."""
        self.adapter = adapter
        self._retries = retries
        self._http = http
        self._timeout_seconds = timeout_seconds
        self._max_response_bytes = max_response_bytes
        self._base_url = (base_url or "").rstrip("/")
        self._token = token
        self._redactor = redactor
        self._not_configured_reason = not_configured_reason
        self._max_wait = max_pacing_wait
        self._budget_prefix = budget_prefix
        self._metrics = UpstreamMetrics(adapter.provider.name, tenant)
        self._pacer = Pacer(
            adapter.display_name,
            max_concurrency=adapter.max_concurrency,
            rate_limit=adapter.rate_limit,
            budgets=budgets if budgets is not None else LocalBudgets(),
            max_wait=max_pacing_wait,
            metrics=self._metrics,
        )

    @property
    def name(self) -> str:
        return self.adapter.display_name

    async def update(self, update: UpdateT) -> ConversationT:
        """Send one validated update and return the updated conversation."""
        with self._redacted_errors():
            response = await self._send_update(update)
            with self._unconfirmed_success(response.status):
                conversation: ConversationT = self._redacted(
                    self.adapter.parse_update(update, response)
                )
                return conversation

    async def update_batch(self, updates: Sequence[UpdateT]) -> list[ConversationT | ProviderError]:
        """Send validated updates in one call of the provider's batch form; each update's
        own result, in order: its conversation, or why it failed.

        `updates` are as `ProviderAdapter.build_batch` takes them. A failure of the whole
        call is every update's failure; a server error then may have come after some of
        them were applied (a batch applies its items one by one), so it says so.
        """
        request = self.adapter.build_batch(updates)
        scope = self.adapter.budget_scope(updates[0])
        safe = all(update.safe_to_repeat for update in updates)
        try:
            response = await self._send_with_retries(request, scope, safe=safe)
        except ProviderError as error:
            if error.provider_status is not None and error.provider_status >= 500:
                # A batch applies its items one by one: some may be in before the error.
                error = error.replace(
                    message=f"{error.message} (a batch call's server error may come after "
                    "some of its updates were applied)",
                    may_have_been_applied=True,
                )
            if len(updates) > 1 and error.code is not UpdateErrorCode.NOT_CONFIGURED:
                error = error.with_message(
                    f"{error.message} (for all {len(updates)} updates of the call)"
                )
            return [self._told_error(error)] * len(updates)
        try:
            results = list(self.adapter.parse_batch(updates, response))
        except (KeyError, TypeError, ValueError) as exc:
            unconfirmed = self._unconfirmed(response.status, type(exc).__name__)
            return [unconfirmed] * len(updates)
        if len(results) != len(updates):
            raise RuntimeError(
                f"{self.name}'s parse_batch gave {len(results)} results for {len(updates)}"
            )
        return [
            self._told_error(result)
            if isinstance(result, ProviderError)
            else self._redacted(result)
            for result in results
        ]

    async def read(self, refs: Sequence[RefT]) -> Mapping[RefT, ConversationT]:
        """Read conversations by reference; refs missing from the result were not found."""
        reason = self.adapter.read_unsupported_reason
        if reason is not None:
            raise ReadUnsupported(reason)
        with self._redacted_errors(), self._unreadable_read():
            found = await self.adapter.read_conversations(refs, self._read)
        return {ref: self._redacted(conversation) for ref, conversation in found.items()}

    async def _send_update(self, update: UpdateT) -> UpstreamResponse:
        """Send an update, retrying where the adapter says a retry is safe and useful, and
        transient failures where sending the update twice changes nothing more."""
        request = self.adapter.build_update(update)

        async def adapter_retry(error: ProviderError, attempt: int) -> float | ProviderError:
            return await self.adapter.after_failure(update, error, attempt, self._read)

        return await self._send_with_retries(
            request,
            self.adapter.budget_scope(update),
            safe=update.safe_to_repeat,
            adapter_retry=adapter_retry,
        )

    async def _read(self, request: UpstreamRequest) -> UpstreamResponse:
        # Reads go only to endpoints without side effects: always safe to repeat.
        return await self._send_with_retries(request, "", safe=True)

    async def _send_with_retries(
        self,
        request: UpstreamRequest,
        scope: str,
        *,
        safe: bool,
        adapter_retry: AdapterRetry | None = None,
    ) -> UpstreamResponse:
        """Send `request`; after a failure, send it again when the adapter asks to, or
        when the failure is transient and `safe` (or the failure proves nothing was
        applied), within the retry policy and the request's deadline."""
        adapter_retries = transient_retries = 0
        while True:
            try:
                return await self._send(request, scope)
            except ProviderError as failure:
                error = failure
            if adapter_retry is not None:
                decision = await adapter_retry(error, adapter_retries)
                if not isinstance(decision, ProviderError):
                    await self._wait_before_retry(error, decision, adapter_retries + 1)
                    adapter_retries += 1
                    continue
                error = decision
            delay = self._transient_retry_delay(error, transient_retries, safe=safe)
            if isinstance(delay, ProviderError):
                raise delay from None
            await self._wait_before_retry(error, delay, transient_retries + 1)
            transient_retries += 1

    def _transient_retry_delay(
        self, error: ProviderError, retries: int, *, safe: bool
    ) -> float | ProviderError:
        """Seconds to wait before sending again after `error` (following `retries`
        retries), or the error to report, telling why it was not retried."""
        if not is_transient(error):
            return error
        if error.code is UpdateErrorCode.RATE_LIMITED and not self.adapter.retries_rate_limited:
            return error.with_message(
                f"{error.message} (not retried: {self.name} penalizes repeated 429s)"
            )
        if not safe and not proves_not_applied(error):
            not_retried = "not retried: sending this update twice changes more than sending it once"
            if not error.may_have_been_applied:
                return error.with_message(f"{error.message} ({not_retried})")
            return error.replace(
                message=(
                    f"{error.message} ({not_retried}, and it may have been applied: check "
                    "the conversation before sending it again)"
                ),
                retryable=False,
            )
        if retries + 1 >= self._retries.attempts:
            if retries == 0:
                return error
            return error.with_message(f"{error.message} (after {retries + 1} attempts)")
        asked = error.retry_after or 0.0
        if asked > self._retries.max_seconds:
            return error.with_message(
                f"{error.message} (not retried: inboxgraph waits at most "
                f"{self._retries.max_seconds:g} s to retry)"
            )
        return max(asked, self._retries.backoff(retries))

    async def _wait_before_retry(self, error: ProviderError, delay: float, retry: int) -> None:
        """Wait `delay` before retry number `retry`, or raise `error` when the request's
        deadline would pass first."""
        left = seconds_left()
        if left is not None and delay >= left:
            raise error.with_message(
                f"{error.message} (not retried: the request's deadline is too near)"
            ) from None
        logger.info(
            "%s %s: retrying in %.2f s (retry %d)", self.name, error.code.name, delay, retry
        )
        self._metrics.retry(error.code.name)
        await asyncio.sleep(delay)

    @contextmanager
    def _redacted_errors(self) -> Iterator[None]:
        """Every failure leaving this client passes here: its texts are told safely."""
        try:
            yield
        except ProviderError as error:
            told = self._told_error(error)
            if told is error:
                raise
            raise told from None

    def _told_error(self, error: ProviderError) -> ProviderError:
        """`error` with its texts as a caller may see them."""
        message, code = self._told(error.message), self._told(error.provider_code)
        if (message, code) == (error.message, error.provider_code):
            return error
        return error.told(message or "", code)

    def _told(self, text: str | None) -> str | None:
        """A text from a provider as a caller may see it: credentials masked, then cut."""
        if text is None:
            return None
        text = self._redactor.redact(text)
        if len(text) > MAX_PROVIDER_MESSAGE_CHARS:
            text = text[:MAX_PROVIDER_MESSAGE_CHARS] + "… (cut)"
        return text

    def _redacted(self, record: Any) -> Any:
        """A record from a provider with every credential masked in its texts (a provider
        may echo one in any field)."""
        if isinstance(record, str):
            return self._redactor.redact(record)
        if isinstance(record, tuple):
            return tuple(self._redacted(item) for item in record)
        if is_dataclass(record) and not isinstance(record, type):
            changes = {
                f.name: self._redacted(getattr(record, f.name))
                for f in fields(record)
                if isinstance(getattr(record, f.name), str | tuple)
                or is_dataclass(getattr(record, f.name))
            }
            if any(changes[name] is not getattr(record, name) for name in changes):
                return replace(record, **changes)
        return record

    @contextmanager
    def _unconfirmed_success(self, status: int) -> Iterator[None]:
        """A success answer the adapter cannot read: the update may have been applied."""
        try:
            yield
        except (KeyError, TypeError, ValueError) as exc:
            raise self._unconfirmed(status, type(exc).__name__) from None

    def _unconfirmed(self, status: int, reason: str) -> ProviderError:
        logger.warning(
            "%s answered HTTP %d with an unexpected body (%s)", self.name, status, reason
        )
        return ProviderError(
            UpdateErrorCode.UNCONFIRMED,
            f"{self.name} answered HTTP {status} (success) with a body inboxgraph could "
            "not read; the update may have been applied: read the conversation before "
            "sending it again",
            provider_status=status,
            retryable=False,
            may_have_been_applied=True,
        )

    @contextmanager
    def _unreadable_read(self) -> Iterator[None]:
        try:
            yield
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "%s answered a read with an unexpected body (%s)", self.name, type(exc).__name__
            )
            raise ProviderError(
                UpdateErrorCode.UPSTREAM_ERROR,
                f"{self.name} answered a read with a body inboxgraph could not read",
            ) from None

    async def _send(self, request: UpstreamRequest, scope: str) -> UpstreamResponse:
        if self._not_configured_reason is not None or self._token is None:
            raise ProviderError(
                UpdateErrorCode.NOT_CONFIGURED,
                f"{self.name} is not configured: {self._not_configured_reason}",
            )
        headers = {
            **self.adapter.static_headers,
            **self.adapter.auth_headers(self._token.reveal()),
            **request.headers,
        }
        scope = self._budget_prefix + scope
        left = seconds_left()
        async with self._pacer.slot(scope, None if left is None else min(left, self._max_wait)):
            deadline = self._timeout_seconds if left is None else min(self._timeout_seconds, left)
            if deadline <= 0:
                raise ProviderError(
                    UpdateErrorCode.TIMEOUT,
                    f"{self.name} was not called: the request's deadline had passed",
                )
            started = time.perf_counter()
            try:
                response = await exchange(
                    self._http,
                    self.name,
                    request.method,
                    self._base_url + request.path,
                    json=request.json,
                    params=request.params,
                    headers=headers,
                    deadline_seconds=deadline,
                    max_response_bytes=self._max_response_bytes,
                )
            except ProviderError as error:
                self._metrics.call(
                    request.method, None, error.code.name, time.perf_counter() - started
                )
                logger.warning(
                    "%s %s %s: %s", self.name, request.method, request.path, error.code.name
                )
                raise
        seconds = time.perf_counter() - started
        if logger.isEnabledFor(logging.DEBUG):
            self._log_call(request, response.status, seconds)
        await self._honour_waits(scope, response)
        if response.is_success:
            self._metrics.call(request.method, response.status, "OK", seconds)
            return response
        details = self.adapter.error_details(response.status, _json_or_none(response))
        if not response.complete:
            details = replace(
                details, message=f"a body over {self._max_response_bytes} bytes, not read"
            )
        failure = error_from_status(
            self.name, response.status, details, retry_after=_retry_after(response)
        )
        self._metrics.call(request.method, response.status, failure.code.name, seconds)
        raise failure

    def _log_call(self, request: UpstreamRequest, status: int, seconds: float) -> None:
        logger.debug(
            "%s %s %s -> %d in %.1f ms",
            self.name,
            request.method,
            request.path,
            status,
            seconds * 1000,
            extra={
                "fields": {
                    "provider": self.adapter.provider.name,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                }
            },
        )

    async def _honour_waits(self, scope: str, response: UpstreamResponse) -> None:
        """Stop sending for this scope while the provider has asked to wait (a 429's wait,
        or its rate-limit headers saying the budget is spent, whichever is longer)."""
        spent = self.adapter.spent_budget_wait(response)
        if response.status == 429:
            asked = _retry_after(response) or DEFAULT_RATE_LIMITED_WAIT
            wait = max(asked, spent or 0.0)
            await self._pacer.block(
                scope, wait, f"{self.name} answered 429 and asked to wait {wait:g} s"
            )
        elif spent is not None:
            await self._pacer.block(
                scope, spent, f"{self.name} reports its rate-limit budget spent"
            )


def _retry_after(response: UpstreamResponse) -> float | None:
    """Retry-After in seconds, when a 429 or 503 carries it as a number."""
    value = (response.header("retry-after") or "").strip()
    if response.status not in {429, 503} or not value.isdigit():
        return None
    return float(value)


def _json_or_none(response: UpstreamResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
