"""The explicit Provider -> emulator registry used in sandbox mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp

from inboxgraph.sandbox import puffle
from inboxgraph.schema.enums import Provider

# PLACEHOLDER-EMULATOR-IMPORTS


@dataclass(frozen=True)
class Emulator:
    """How to start one provider's emulator and the credential it accepts."""

    create_app: Callable[[], ASGIApp]
    token: str


EMULATORS: dict[Provider, Emulator] = {
    # PLACEHOLDER-AYRSHARE-EMULATOR
    Provider.PUFFLE: Emulator(puffle.create_app, puffle.SANDBOX_TOKEN),
    # PLACEHOLDER-HIGHLEVEL-EMULATOR
    # PLACEHOLDER-VCITA-EMULATOR
    # PLACEHOLDER-EBAY-EMULATOR
}


def sandbox_host(provider: Provider) -> str:
    """The in-process origin at which a provider's emulator is mounted."""
    return f"http://{provider.name.lower()}.sandbox"
