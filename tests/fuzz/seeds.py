"""The ids a fresh sandbox holds: fuzzed ids are often these, so updates and reads reach
real records (and the success paths) instead of stopping at NOT_FOUND."""

from __future__ import annotations

from inboxgraph.domain.provider import Provider
from inboxgraph.sandbox.registry import EMULATORS


def seeded_ids(provider: Provider | None = None) -> list[str]:
    """Every id (and profile key) of the records a fresh sandbox holds (of one provider's
    emulator, when given)."""
    emulators = EMULATORS.values() if provider is None else [EMULATORS[provider]]
    found = {
        value
        for emulator in emulators
        for record in emulator.seed()
        for key, value in record.items()
        if isinstance(value, str) and (key.lower().endswith("id") or key == "profile_key")
    }
    return sorted(found)
