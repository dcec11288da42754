"""Reading one environment variable into a typed value, or a ConfigurationError naming it."""

from __future__ import annotations

from collections.abc import Mapping


class ConfigurationError(ValueError):
    """The environment describes an impossible configuration."""


def seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {raw!r}")
    return value


def positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


def switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in {"on", "off"}:
        raise ConfigurationError(f"{name} must be 'on' or 'off', got {raw!r}")
    return raw == "on"


def choice(environ: Mapping[str, str], name: str, default: str, allowed: set[str]) -> str:
    raw = environ.get(name, "").strip().lower() or default
    if raw not in allowed:
        options = " or ".join(repr(a) for a in sorted(allowed))
        raise ConfigurationError(f"{name} must be {options}, got {raw!r}")
    return raw


def listed(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in environ.get(name, "").split(",") if item.strip())
