"""Configuration: environment variables, and an optional tenants file."""

from inboxgraph.config.providers import ProviderSettings
from inboxgraph.config.settings import JobSettings, JwtSettings, Limits, Settings, load_settings
from inboxgraph.config.tenants import DEFAULT_TENANT, TenantSettings
from inboxgraph.config.values import ConfigurationError

__all__ = [
    "DEFAULT_TENANT",
    "ConfigurationError",
    "JobSettings",
    "JwtSettings",
    "Limits",
    "ProviderSettings",
    "Settings",
    "TenantSettings",
    "load_settings",
]
