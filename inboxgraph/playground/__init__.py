"""The GraphQL playground: GraphiQL served by inboxgraph from its own files, with the example
operations open as tabs, so it works on networks that cannot reach a CDN."""

from __future__ import annotations

from inboxgraph.playground.operations import example_operations
from inboxgraph.playground.page import (
    CONTENT_SECURITY_POLICY,
    STATIC_DIR,
    STATIC_PATH,
    playground_page,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "STATIC_DIR",
    "STATIC_PATH",
    "example_operations",
    "playground_page",
]
