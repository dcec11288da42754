from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.support import app_client


@pytest.fixture
async def sandbox_client() -> AsyncIterator[httpx.AsyncClient]:
    """The whole app with every provider in sandbox mode, fresh state per test."""
    async with app_client() as client:
        yield client


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)
