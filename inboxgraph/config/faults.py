"""Faults the sandbox injects on demand, per provider: what `INBOXGRAPH_SANDBOX_FAULTS_<P>`
says, read into a `FaultPlan`.

The value is comma-separated `name=value` settings, for example
`latency=50ms,error_rate=0.1,burst_429=5/100,retry_after=2,timeout_rate=0.05`:

- `latency=50ms`: every answer comes this much later (`ms` or `s`; a bare number is seconds).
- `error_rate=0.1`: that share of requests is answered `error_status` (default 503).
- `burst_429=5` or `burst_429=5/100`: the first 5 requests (of every 100) are answered
  429, with `Retry-After: <retry_after>` (whole seconds; `retry_after=none` sends none;
  default 1).
- `timeout_rate=0.05`: that share gets no answer until the caller gives up.
- `malformed_rate=0.05`: that share reaches the emulator (the update is applied) and its
  answer's body is replaced by bytes that are not JSON.
- `drop_rate=0.05`: that share has its connection closed in the middle of the answer.
- `on=writes`: only requests that may change something (not GET or HEAD) get faults;
  `on=all` (default): every request.

The rates are drawn once per request from one seeded generator (so at most their sum, at
most 1, of the requests get one), after the 429 bursts; `INBOXGRAPH_SANDBOX_FAULTS_SEED`
makes the draws repeatable. Every fault but a malformed body strikes before the emulator
sees the request, so it changes nothing there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from inboxgraph.config.values import ConfigurationError
from inboxgraph.domain.provider import Provider

SEED_VARIABLE = "INBOXGRAPH_SANDBOX_FAULTS_SEED"


def variable_name(provider: Provider) -> str:
    return f"INBOXGRAPH_SANDBOX_FAULTS_{provider.name}"


@dataclass(frozen=True)
class FaultPlan:
    """What goes wrong, and how often, between a client and one emulator."""

    latency_seconds: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    burst_429: int = 0
    #: The bursts repeat every this many requests; 0: one burst, at the start.
    burst_every: int = 0
    retry_after_seconds: int | None = 1
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    writes_only: bool = False


def parse_fault_plan(text: str, *, name: str = "faults") -> FaultPlan:
    """The plan `text` describes; ConfigurationError naming `name` and the setting when
    it is not one."""
    settings: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise ConfigurationError(f"{name}: {item!r} is not name=value")
        if key not in _READERS:
            known = ", ".join(sorted(_READERS))
            raise ConfigurationError(f"{name}: unknown setting {key!r} (known: {known})")
        if key in settings:
            raise ConfigurationError(f"{name}: {key} is given twice")
        settings[key] = value
    values: dict[str, Any] = {}
    for key, value in settings.items():
        try:
            values.update(_READERS[key](value))
        except ValueError as error:
            raise ConfigurationError(f"{name}: {key}={value!r}: {error}") from None
    plan = FaultPlan(**values)
    total = plan.error_rate + plan.timeout_rate + plan.malformed_rate + plan.drop_rate
    if total > 1 + 1e-9:
        raise ConfigurationError(f"{name}: the rates add up to {total:g}, more than 1")
    if plan.burst_every and plan.burst_429 > plan.burst_every:
        raise ConfigurationError(f"{name}: burst_429 is longer than its period")
    return plan


def load_fault_plans(environ: Mapping[str, str]) -> dict[Provider, FaultPlan]:
    """The plan of every provider whose variable is set and not empty."""
    plans: dict[Provider, FaultPlan] = {}
    for provider in Provider:
        variable = variable_name(provider)
        text = environ.get(variable, "").strip()
        if text:
            plans[provider] = parse_fault_plan(text, name=variable)
    return plans


def load_fault_seed(environ: Mapping[str, str]) -> int | None:
    raw = environ.get(SEED_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{SEED_VARIABLE} must be a whole number, got {raw!r}") from None


def _duration(value: str) -> float:
    lowered = value.lower()
    scale = 1.0
    if lowered.endswith("ms"):
        lowered, scale = lowered[:-2], 0.001
    elif lowered.endswith("s"):
        lowered = lowered[:-1]
    seconds = float(lowered) * scale
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("must be a duration of at least 0, such as 50ms or 0.05s")
    return seconds


def _rate(value: str) -> float:
    rate = float(value)
    if not 0 <= rate <= 1:
        raise ValueError("must be a share between 0 and 1")
    return rate


def _count(value: str) -> int:
    if not value.isdigit():
        raise ValueError("must be a whole number of at least 0")
    return int(value)


def _burst(value: str) -> dict[str, Any]:
    length, _, every = value.partition("/")
    return {"burst_429": _count(length), "burst_every": _count(every) if every else 0}


def _retry_after(value: str) -> dict[str, Any]:
    if value.lower() == "none":
        return {"retry_after_seconds": None}
    return {"retry_after_seconds": _count(value.removesuffix("s"))}


def _status(value: str) -> dict[str, Any]:
    status = _count(value)
    if not 500 <= status <= 599:
        raise ValueError("must be a 5xx status")
    return {"error_status": status}


def _on(value: str) -> dict[str, Any]:
    if value.lower() not in {"all", "writes"}:
        raise ValueError("must be 'all' or 'writes'")
    return {"writes_only": value.lower() == "writes"}


_READERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "latency": lambda v: {"latency_seconds": _duration(v)},
    "error_rate": lambda v: {"error_rate": _rate(v)},
    "error_status": _status,
    "burst_429": _burst,
    "retry_after": _retry_after,
    "timeout_rate": lambda v: {"timeout_rate": _rate(v)},
    "malformed_rate": lambda v: {"malformed_rate": _rate(v)},
    "drop_rate": lambda v: {"drop_rate": _rate(v)},
    "on": _on,
}
