"""Session fixtures: the two subgraphs, and each gateway in turn in front of them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.federation.stack import (
    GATEWAYS,
    Gateway,
    GatewayClient,
    Services,
    Subgraphs,
    ensure_node_modules,
    start_gateway,
    start_subgraphs,
)


@pytest.fixture(scope="session")
def node_modules() -> None:
    """The Node dependencies, installed with `npm ci` unless already installed as locked."""
    ensure_node_modules()


@pytest.fixture(scope="session")
def subgraphs(node_modules: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Subgraphs]:
    services = Services(tmp_path_factory.mktemp("subgraphs"))
    try:
        yield start_subgraphs(services)
    finally:
        services.stop()


@pytest.fixture(scope="session", params=GATEWAYS)
def gateway(
    request: pytest.FixtureRequest,
    subgraphs: Subgraphs,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GatewayClient]:
    """A client of one gateway (each test runs behind every gateway); pytest runs one
    gateway's tests together and stops it before starting the next."""
    kind: Gateway = request.param
    services = Services(tmp_path_factory.mktemp(f"{kind}-gateway"))
    try:
        url = start_gateway(services, kind, subgraphs)
        with httpx.Client(timeout=10.0) as http:
            yield GatewayClient(url, http, kind)
    finally:
        services.stop()
