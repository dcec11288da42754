"""The adapter interface: a provider is its constants plus small request/response transforms.

An adapter never performs I/O. `providers.gateway` sends what `build_update` describes
through the process's one shared `httpx.AsyncClient` and hands the answer back to
`parse_update` (success) or `error_details` (an error status).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from inboxgraph.providers.errors import ErrorDetails, ProviderError
from inboxgraph.providers.pacing import RateLimit
from inboxgraph.schema.enums import Provider

UpdateT = TypeVar("UpdateT")
#: Sends one request through the gateway (auth, pacing, error mapping) and returns the answer.
Fetch = Callable[["UpstreamRequest"], Awaitable[httpx.Response]]
ConversationT = TypeVar("ConversationT")


@dataclass(frozen=True)
class UpstreamRequest:
    """One HTTP request to a provider, relative to its base URL. Auth headers are added later."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


class ProviderAdapter(ABC, Generic[UpdateT, ConversationT]):
    """How one provider's update operation is validated, sent and read back."""

    provider: ClassVar[Provider]
    display_name: ClassVar[str]
    default_base_url: ClassVar[str]
    #: Headers every call carries besides `Authorization`.
    static_headers: ClassVar[Mapping[str, str]] = {}
    rate_limit: ClassVar[RateLimit | None] = None
    max_concurrency: ClassVar[int] = 8

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @abstractmethod
    def validate(self, update: UpdateT) -> None:
        """Raise `InvalidInput` naming the field and the rule when a documented rule is broken."""

    @abstractmethod
    def build_update(self, update: UpdateT) -> UpstreamRequest:
        """The provider's own HTTP request for a valid update."""

    @abstractmethod
    def parse_update(self, update: UpdateT, response: httpx.Response) -> ConversationT:
        """The conversation, in the contract's types, from a successful answer."""

    @abstractmethod
    def target_key(self, update: UpdateT) -> Hashable:
        """What an update changes: updates with the same target are applied one by one."""

    def pacing_key(self, update: UpdateT) -> str:
        """The account whose rate limit an update counts against (one per credential by default)."""
        return ""

    def retry_delay(self, error: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before sending the same request again, or None to give up.

        Only for failures the provider documents as transient and where a retry can
        neither lose nor double an update.
        """
        return None

    #: Why this provider's conversations cannot be read, when they cannot.
    read_unsupported_reason: ClassVar[str | None] = None

    async def read_conversations(
        self, keys: Sequence[Hashable], fetch: Fetch
    ) -> Mapping[Hashable, ConversationT]:
        """Read conversations by key through the provider's side-effect-free endpoints.

        Keys missing from the result were not found. `fetch` is the only way to send
        a request, so reads are paced and mapped like updates.
        """
        raise NotImplementedError(f"{self.display_name} has no read strategy")

    def error_details(self, status: int, body: Any) -> ErrorDetails:
        """Read the provider's own error body (already JSON-decoded, or None)."""
        return ErrorDetails()
