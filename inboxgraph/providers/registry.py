"""The explicit Provider -> adapter registry. A new provider is one line here."""

from __future__ import annotations

from typing import Any

from inboxgraph.config import Settings
from inboxgraph.providers.base import ProviderAdapter
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.schema.enums import Provider

# PLACEHOLDER-AYRSHARE-IMPORT
# PLACEHOLDER-HIGHLEVEL-IMPORT
# PLACEHOLDER-VCITA-IMPORT
# PLACEHOLDER-EBAY-IMPORT


def build_adapters(settings: Settings) -> dict[Provider, ProviderAdapter[Any, Any]]:
    """One adapter per provider, configured from `settings`."""
    return {
        # PLACEHOLDER-AYRSHARE-ADAPTER
        Provider.PUFFLE: PuffleAdapter(),
        # PLACEHOLDER-HIGHLEVEL-ADAPTER
        # PLACEHOLDER-VCITA-ADAPTER
        # PLACEHOLDER-EBAY-ADAPTER
    }
