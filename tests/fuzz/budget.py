"""How hard the fuzz tests try: a fixed, derandomized budget in CI, raised by one variable.

`INBOXGRAPH_FUZZ_EXAMPLES` scales every fuzz test: the operation and request fuzzers
send at least that many requests, each property test tries that many examples. Unset,
each test uses its own CI-sized default and a fixed seed (the same examples every run).
Set, examples are drawn at random, so each long run explores new inputs; a failure
prints the `@reproduce_failure` blob that replays it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES_VARIABLE = "INBOXGRAPH_FUZZ_EXAMPLES"


def long_run() -> bool:
    return bool(os.environ.get(FUZZ_EXAMPLES_VARIABLE, "").strip())


def fuzz_examples(default: int) -> int:
    """`INBOXGRAPH_FUZZ_EXAMPLES` when set (never below `default`), else `default`."""
    raw = os.environ.get(FUZZ_EXAMPLES_VARIABLE, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{FUZZ_EXAMPLES_VARIABLE} must be a positive whole number, got {raw!r}")
    return max(int(raw), default)


def fuzz_settings(default_examples: int) -> settings:
    """Settings for one fuzz test: no example database and no per-example deadline (a
    served request's time varies with the machine)."""
    return settings(
        max_examples=fuzz_examples(default_examples),
        derandomize=not long_run(),
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )
