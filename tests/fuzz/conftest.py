from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.server import Served, serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`inboxgraph serve` in sandbox mode, one per test module."""
    with serve(tmp_path_factory.mktemp("serve")) as running:
        yield running
