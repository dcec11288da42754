"""The explicit Provider -> emulator registry used in sandbox mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp

from inboxgraph.sandbox import ayrshare, ebay, highlevel, puffle, vcita
from inboxgraph.schema.enums import Provider


@dataclass(frozen=True)
class Emulator:
    """How to start one provider's emulator and the credential it accepts."""

    create_app: Callable[[], ASGIApp]
    token: str


EMULATORS: dict[Provider, Emulator] = {
    Provider.AYRSHARE: Emulator(ayrshare.create_app, ayrshare.SANDBOX_TOKEN),
    Provider.PUFFLE: Emulator(puffle.create_app, puffle.SANDBOX_TOKEN),
    Provider.HIGHLEVEL: Emulator(highlevel.create_app, highlevel.SANDBOX_TOKEN),
    Provider.VCITA: Emulator(vcita.create_app, vcita.SANDBOX_TOKEN),
    Provider.EBAY: Emulator(ebay.create_app, ebay.SANDBOX_TOKEN),
}


def sandbox_host(provider: Provider) -> str:
    """The in-process origin at which a provider's emulator is mounted."""
    return f"http://{provider.name.lower()}.sandbox"
