"""The directory where worker processes keep their metrics (prometheus-client's
multiprocess mode). This module must not import prometheus-client: the variable has to
be set before prometheus-client is first imported, which is when it picks its mode."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

#: The files prometheus-client writes in multiprocess mode (`counter_1234.db`, ...).
_METRIC_FILE = re.compile(r"(counter|gauge_[a-z]+|histogram|summary)_\d+\.db")


@contextmanager
def multiprocess_directory(
    workers: int, environ: MutableMapping[str, str] | None = None
) -> Iterator[str | None]:
    """Prepare multiprocess mode for the worker processes about to be started here.

    When PROMETHEUS_MULTIPROC_DIR is set, that directory is created if missing and its
    metric files (only those) are removed before and after. Otherwise, with more than
    one worker, a new temporary directory is set in the environment (which the workers
    inherit) and deleted afterwards. With one worker and no variable: nothing to do.
    """
    env = os.environ if environ is None else environ
    given = env.get(MULTIPROCESS_DIR_VARIABLE)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        _remove_metric_files(path)
        try:
            yield given
        finally:
            _remove_metric_files(path)
    elif workers > 1:
        with tempfile.TemporaryDirectory(prefix="inboxgraph-metrics-") as directory:
            env[MULTIPROCESS_DIR_VARIABLE] = directory
            try:
                yield directory
            finally:
                env.pop(MULTIPROCESS_DIR_VARIABLE, None)
    else:
        yield None


def _remove_metric_files(directory: Path) -> None:
    for entry in directory.iterdir():
        if _METRIC_FILE.fullmatch(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
