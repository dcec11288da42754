"""Tenants: customers served by one inboxgraph, each with its own provider credentials,
sandbox switch and callers, read from the TOML file `INBOXGRAPH_TENANTS_FILE` names.

```toml
[tenants.acme]
api_keys_env = ["ACME_API_KEY"]   # or api_keys = ["..."]: callers who act as acme
sandbox = "off"                   # "auto": providers without a token run in the sandbox

[tenants.acme.providers.puffle]
token_env = "ACME_PUFFLE_TOKEN"   # or token = "..."
base_url = "https://app.puffle.ai"
```

The single-tenant environment variables describe the tenant named `default`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inboxgraph.config.providers import ProviderSettings, provider_settings
from inboxgraph.config.values import ConfigurationError
from inboxgraph.domain.provider import Provider
from inboxgraph.secrets import Secret

DEFAULT_TENANT = "default"
TENANT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class TenantSettings:
    name: str
    providers: Mapping[Provider, ProviderSettings]
    #: Callers presenting one of these act as this tenant.
    api_keys: tuple[Secret, ...] = ()


def load_tenants_file(
    path: str, *, sandbox_default: bool, environ: Mapping[str, str]
) -> dict[str, TenantSettings]:
    """The tenants a TOML file describes; ConfigurationError naming the file and the key."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as error:
        raise ConfigurationError(f"INBOXGRAPH_TENANTS_FILE {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"INBOXGRAPH_TENANTS_FILE {path}: {error}") from None
    reader = _Reader(path, environ)
    tenants = reader.table(data, "tenants")
    return {
        name: reader.tenant(name, reader.table(tenants, name, f"tenants.{name}"), sandbox_default)
        for name in tenants
    }


class _Reader:
    def __init__(self, path: str, environ: Mapping[str, str]) -> None:
        self._path = path
        self._environ = environ

    def fail(self, key: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"INBOXGRAPH_TENANTS_FILE {self._path}: {key} {problem}")

    def table(self, data: Mapping[str, Any], name: str, key: str | None = None) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(key or name, "must be a table")
        return value

    def tenant(self, name: str, spec: dict[str, Any], sandbox_default: bool) -> TenantSettings:
        key = f"tenants.{name}"
        if name == DEFAULT_TENANT or not TENANT_NAME.fullmatch(name):
            raise self.fail(
                key,
                "is not a tenant name: use 1-64 lower-case letters, digits, '-' or '_' "
                f"('{DEFAULT_TENANT}' is the tenant of the INBOXGRAPH_* variables)",
            )
        unknown = set(spec) - {"api_keys", "api_keys_env", "sandbox", "providers"}
        if unknown:
            raise self.fail(key, f"has unknown keys: {', '.join(sorted(unknown))}")
        sandbox = spec.get("sandbox", "auto" if sandbox_default else "off")
        if sandbox not in {"auto", "off"}:
            raise self.fail(f"{key}.sandbox", f"must be 'auto' or 'off', got {sandbox!r}")
        providers = self.table(spec, "providers", f"{key}.providers")
        known = {p.name.lower(): p for p in Provider}
        for provider_name in providers:
            if provider_name not in known:
                raise self.fail(
                    f"{key}.providers.{provider_name}",
                    f"is not a provider (one of {', '.join(known)})",
                )
        return TenantSettings(
            name=name,
            providers={
                provider: self.provider(
                    provider,
                    self.table(providers, lower, f"{key}.providers.{lower}"),
                    f"{key}.providers.{lower}",
                    sandbox_allowed=sandbox == "auto",
                    sandbox_name=f"{key}.sandbox",
                )
                for lower, provider in known.items()
            },
            api_keys=tuple(Secret(k) for k in self.secrets(spec, "api_keys", key)),
        )

    def provider(
        self,
        provider: Provider,
        spec: dict[str, Any],
        key: str,
        *,
        sandbox_allowed: bool,
        sandbox_name: str,
    ) -> ProviderSettings:
        unknown = set(spec) - {"token", "token_env", "base_url"}
        if unknown:
            raise self.fail(key, f"has unknown keys: {', '.join(sorted(unknown))}")
        tokens = self.secrets(spec, "token", key, single=True)
        base_url = spec.get("base_url")
        if base_url is not None and (not isinstance(base_url, str) or not base_url.strip()):
            raise self.fail(f"{key}.base_url", "must be a URL")
        return provider_settings(
            provider,
            token=tokens[0] if tokens else "",
            base_url=base_url.strip() if base_url else None,
            sandbox_allowed=sandbox_allowed,
            token_name=f"{key}.token",
            base_url_name=f"{key}.base_url",
            sandbox_name=sandbox_name,
        )

    def secrets(
        self, spec: Mapping[str, Any], name: str, key: str, *, single: bool = False
    ) -> list[str]:
        """Values given inline (`name`) or by environment variable (`name_env`)."""
        given, from_env = spec.get(name), spec.get(f"{name}_env")
        if given is not None and from_env is not None:
            raise self.fail(key, f"has both {name} and {name}_env: give one")
        values = [given] if single and given is not None else given or []
        names = [from_env] if single and from_env is not None else from_env or []
        for value_key, items in ((name, values), (f"{name}_env", names)):
            if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
                kind = "a non-empty string" if single else "a list of non-empty strings"
                raise self.fail(f"{key}.{value_key}", f"must be {kind}")
        for variable in names:
            if not self._environ.get(variable, "").strip():
                raise self.fail(f"{key}.{name}_env", f"names {variable}, which is not set")
        return [v.strip() for v in values] + [self._environ[v].strip() for v in names]
