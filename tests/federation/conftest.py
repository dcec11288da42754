"""Session fixtures: one local supergraph (inboxgraph + CRM + Apollo Gateway) for all tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.federation.stack import (
    GraphQLClient,
    Services,
    Supergraph,
    ensure_node_modules,
    start_supergraph,
)


@pytest.fixture(scope="session")
def node_modules() -> None:
    """The Node dependencies, installed with `npm ci` unless CI already did."""
    ensure_node_modules()


@pytest.fixture(scope="session")
def supergraph(
    node_modules: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supergraph]:
    services = Services(tmp_path_factory.mktemp("federation"))
    try:
        yield start_supergraph(services)
    finally:
        services.stop()


@pytest.fixture(scope="session")
def gateway(supergraph: Supergraph) -> Iterator[GraphQLClient]:
    with httpx.Client(timeout=10.0) as http:
        yield GraphQLClient(supergraph.gateway_url, http)
