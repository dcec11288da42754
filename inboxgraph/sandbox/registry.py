"""The explicit Provider -> emulator registry used in sandbox mode. A new provider is one
line here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox import ayrshare, ebay, highlevel, puffle, vcita


@dataclass(frozen=True)
class Emulator:
    """How to start one provider's emulator, the credential it accepts, the conversations a
    fresh one holds, and the path its API lives under (the path of the provider's
    documented base URL)."""

    create_app: Callable[[], ASGIApp]
    token: str
    seed: Callable[[], Sequence[Mapping[str, Any]]]
    base_path: str = ""


EMULATORS: dict[Provider, Emulator] = {
    Provider.AYRSHARE: Emulator(
        ayrshare.create_app, ayrshare.SANDBOX_TOKEN, ayrshare.seed_conversations
    ),
    Provider.PUFFLE: Emulator(puffle.create_app, puffle.SANDBOX_TOKEN, puffle.seed_conversations),
    Provider.HIGHLEVEL: Emulator(
        highlevel.create_app, highlevel.SANDBOX_TOKEN, highlevel.seed_conversations
    ),
    Provider.VCITA: Emulator(vcita.create_app, vcita.SANDBOX_TOKEN, vcita.seed_conversations),
    Provider.EBAY: Emulator(
        ebay.create_app, ebay.SANDBOX_TOKEN, ebay.seed_conversations, ebay.API_PREFIX
    ),
}
