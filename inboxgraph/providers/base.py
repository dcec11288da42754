"""The adapter interface: a provider is its constants plus small request/response transforms.

An adapter never performs I/O. `providers.client` sends what `build_update` describes
through the process's one shared HTTP client and hands the answer back to
`parse_update` (success) or `error_details` (an error status). A provider with a batch
form (`max_batch_size` > 0) also describes one call carrying several updates
(`build_batch`) and reads each update's own result from its answer (`parse_batch`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from inboxgraph.domain.provider import Conversation, ConversationRef, ConversationUpdate, Provider
from inboxgraph.providers.errors import ErrorDetails, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.providers.text import refuse_unsendable_text

UpdateT = TypeVar("UpdateT", bound=ConversationUpdate)
ConversationT = TypeVar("ConversationT", bound=Conversation)
RefT = TypeVar("RefT", bound=ConversationRef)


@dataclass(frozen=True)
class UpstreamRequest:
    """One HTTP request to a provider, relative to its base URL. Auth headers are added later."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UpstreamResponse:
    """A provider's answer: status, headers (names in lower case) and body, which is
    `complete` unless it was longer than inboxgraph reads."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    complete: bool = True

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON (or was cut off)."""
        if not self.complete:
            raise ValueError("the answer was longer than inboxgraph reads")
        return json.loads(self.content)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


#: Sends one request through the provider's client (auth, pacing, error mapping).
Fetch = Callable[[UpstreamRequest], Awaitable[UpstreamResponse]]


class ProviderAdapter(ABC, Generic[UpdateT, ConversationT, RefT]):
    """How one provider's update operation is validated, sent and read back."""

    provider: ClassVar[Provider]
    display_name: ClassVar[str]
    #: The update's variant of UpdateConversationInput: where its field paths start.
    input_name: ClassVar[str]
    default_base_url: ClassVar[str]
    #: Headers every call carries besides `Authorization`.
    static_headers: ClassVar[Mapping[str, str]] = {}
    rate_limit: ClassVar[RateLimit | None] = None
    max_concurrency: ClassVar[int] = 8
    #: Whether an answered 429 may be retried (never where 429s cost more than time).
    retries_rate_limited: ClassVar[bool] = True
    #: The most updates one call of the provider's batch form carries; 0 when it has none.
    max_batch_size: ClassVar[int] = 0
    #: Why this provider's conversations cannot be read, when they cannot.
    read_unsupported_reason: ClassVar[str | None] = None

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def validate(self, update: UpdateT) -> None:
        """Raise `InvalidInput` naming the field and the rule when the update breaks one:
        first text that cannot be sent at all, then the provider's documented rules."""
        refuse_unsendable_text(self.input_name, update)
        self.check_rules(update)

    @abstractmethod
    def check_rules(self, update: UpdateT) -> None:
        """Raise `InvalidInput` naming the field and the rule when a documented rule is broken."""

    @abstractmethod
    def build_update(self, update: UpdateT) -> UpstreamRequest:
        """The provider's own HTTP request for a valid update."""

    @abstractmethod
    def parse_update(self, update: UpdateT, response: UpstreamResponse) -> ConversationT:
        """The conversation from a successful answer; KeyError, TypeError or ValueError
        when the answer cannot be read."""

    @abstractmethod
    def target(self, update: UpdateT) -> Hashable:
        """What an update changes: updates with the same target are applied one by one."""

    def batch_key(self, update: UpdateT) -> Hashable | None:
        """What the batch answer names `update` by (two updates with the same key never
        share a call, or their answers could not be told apart), or None when `update`
        cannot travel in the batch form. Read only when `max_batch_size` > 0."""
        return None

    def build_batch(self, updates: Sequence[UpdateT]) -> UpstreamRequest:
        """The provider's one request carrying `updates`: valid, 1 to `max_batch_size` of
        them, with distinct batch keys and one budget scope."""
        raise NotImplementedError(f"{self.display_name} has no batch form")

    def parse_batch(
        self, updates: Sequence[UpdateT], response: UpstreamResponse
    ) -> Sequence[ConversationT | ProviderError]:
        """Each update's own result from a successful batch answer, in the order of
        `updates`: the conversation it left, or why it failed (with `may_have_been_applied`
        true when the answer does not tell). KeyError, TypeError or ValueError when the
        answer cannot be read at all."""
        raise NotImplementedError(f"{self.display_name} has no batch form")

    def budget_scope(self, update: UpdateT) -> str:
        """The account whose rate limit an update counts against, within one credential."""
        return ""

    async def after_failure(
        self, update: UpdateT, error: ProviderError, attempt: int, fetch: Fetch
    ) -> float | ProviderError:
        """Seconds to wait before sending `update` again after `error` (`attempt` is how
        many times this hook has asked to already), or the error to go on with: the
        client's own retry of transient failures (`providers.retries`) decides then.

        Only for failures the provider documents as transient, where a retry can
        neither lose nor double an update. Batch calls do not ask it.
        """
        return error

    async def read_conversations(
        self, refs: Sequence[RefT], fetch: Fetch
    ) -> Mapping[RefT, ConversationT]:
        """Read conversations through the provider's side-effect-free endpoints.

        Refs missing from the result were not found. `fetch` is the only way to send
        a request, so reads are paced and mapped like updates.
        """
        raise NotImplementedError(f"{self.display_name} has no read strategy")

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        """Read the provider's own error body (already JSON-decoded, or None)."""
        return ErrorDetails()

    def spent_budget_wait(self, response: UpstreamResponse) -> float | None:
        """Seconds to send nothing more when the provider's rate-limit headers say its
        budget is spent (the next request would be refused), or None."""
        return None
