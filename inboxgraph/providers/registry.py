"""The explicit Provider -> adapter registry. A new provider is one line here."""

from __future__ import annotations

from typing import Any

from inboxgraph.config import Settings
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.ayrshare import AyrshareAdapter
from inboxgraph.providers.base import ProviderAdapter
from inboxgraph.providers.ebay import EbayAdapter
from inboxgraph.providers.highlevel import HighLevelAdapter
from inboxgraph.providers.puffle import PuffleAdapter
from inboxgraph.providers.vcita import VcitaAdapter

AnyAdapter = ProviderAdapter[Any, Any, Any]


def build_adapters(settings: Settings) -> dict[Provider, AnyAdapter]:
    """One adapter per provider, configured from `settings`."""
    return {
        Provider.AYRSHARE: AyrshareAdapter(),
        Provider.PUFFLE: PuffleAdapter(),
        Provider.HIGHLEVEL: HighLevelAdapter(
            forbidden_retry_seconds=settings.highlevel_forbidden_retry_seconds
        ),
        Provider.VCITA: VcitaAdapter(),
        Provider.EBAY: EbayAdapter(),
    }
