"""How this server reaches each provider."""

from __future__ import annotations

import strawberry

from inboxgraph.schema.enums import Provider, ProviderMode


@strawberry.type(description="A provider and how this server reaches it.")
class ProviderInfo:
    provider: Provider
    mode: ProviderMode
