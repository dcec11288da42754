"""Configuration from the environment."""

from __future__ import annotations

import pytest

from inboxgraph.config import ConfigurationError, load_settings
from inboxgraph.domain.provider import Provider, ProviderMode
from inboxgraph.secrets import Secret


def test_no_configuration_means_every_provider_in_sandbox() -> None:
    settings = load_settings({})
    assert {p: s.mode for p, s in settings.providers.items()} == {
        p: ProviderMode.SANDBOX for p in Provider
    }
    assert settings.secrets() == []


def test_a_token_makes_a_provider_live_with_its_default_base_url() -> None:
    settings = load_settings({"INBOXGRAPH_EBAY_TOKEN": " v^1.1#token "})
    ebay = settings.providers[Provider.EBAY]
    assert ebay.mode is ProviderMode.LIVE
    assert ebay.base_url is None
    assert ebay.token is not None and ebay.token.reveal() == "v^1.1#token"
    assert settings.providers[Provider.PUFFLE].mode is ProviderMode.SANDBOX


def test_a_base_url_without_a_token_is_not_configured_rather_than_sandbox() -> None:
    settings = load_settings({"INBOXGRAPH_VCITA_BASE_URL": "https://api.vcita.biz"})
    vcita = settings.providers[Provider.VCITA]
    assert vcita.mode is ProviderMode.NOT_CONFIGURED
    assert vcita.problem is not None and "INBOXGRAPH_VCITA_TOKEN" in vcita.problem


def test_sandbox_off_makes_unconfigured_providers_not_configured() -> None:
    settings = load_settings({"INBOXGRAPH_SANDBOX": "off", "INBOXGRAPH_PUFFLE_TOKEN": "t"})
    assert settings.providers[Provider.PUFFLE].mode is ProviderMode.LIVE
    assert settings.providers[Provider.AYRSHARE].mode is ProviderMode.NOT_CONFIGURED


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INBOXGRAPH_SANDBOX": "maybe"}, "INBOXGRAPH_SANDBOX"),
        ({"INBOXGRAPH_TIMEOUT_SECONDS": "soon"}, "INBOXGRAPH_TIMEOUT_SECONDS"),
        ({"INBOXGRAPH_TIMEOUT_SECONDS": "-1"}, "INBOXGRAPH_TIMEOUT_SECONDS"),
        ({"INBOXGRAPH_RETRY_ATTEMPTS": "0"}, "INBOXGRAPH_RETRY_ATTEMPTS"),
        ({"INBOXGRAPH_RETRY_BASE_SECONDS": "-0.1"}, "INBOXGRAPH_RETRY_BASE_SECONDS"),
        ({"INBOXGRAPH_RETRY_MAX_SECONDS": "later"}, "INBOXGRAPH_RETRY_MAX_SECONDS"),
    ],
)
def test_impossible_configuration_is_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(env)


def test_retries_default_to_three_attempts_and_can_be_turned_off() -> None:
    defaults = load_settings({})
    assert (
        defaults.retry_attempts,
        defaults.retry_base_seconds,
        defaults.retry_max_seconds,
    ) == (3, 0.25, 2.0)
    assert load_settings({"INBOXGRAPH_RETRY_ATTEMPTS": "1"}).retry_attempts == 1


def test_cors_origins_are_a_comma_separated_list() -> None:
    settings = load_settings({"INBOXGRAPH_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2-token")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {secret!r}"
    settings = load_settings({"INBOXGRAPH_PUFFLE_TOKEN": "hunter2-token"})
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    "url", ["http://:hunter2-pw@cache:6379", "redis://:hunter2-pw@cache:port/0", "cache:6379"]
)
def test_a_redis_url_that_is_not_one_is_refused_without_telling_it(url: str) -> None:
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_REDIS_URL") as refused:
        load_settings({"INBOXGRAPH_REDIS_URL": url})
    assert "hunter2" not in str(refused.value)


def test_the_redis_password_is_masked_on_its_own_too() -> None:
    settings = load_settings({"INBOXGRAPH_REDIS_URL": "rediss://app:p%40ss-9f8e@cache:6380/1"})
    assert settings.redis_url is not None
    assert set(settings.secrets()) == {
        "rediss://app:p%40ss-9f8e@cache:6380/1",
        "p%40ss-9f8e",
        "p@ss-9f8e",
    }


def test_workers_are_a_positive_whole_number() -> None:
    assert load_settings({}).workers == 1
    assert load_settings({"INBOXGRAPH_WORKERS": "4"}).workers == 4
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_WORKERS"):
        load_settings({"INBOXGRAPH_WORKERS": "0"})


def test_the_gc_threshold_is_a_positive_whole_number() -> None:
    assert load_settings({}).gc_threshold == 50_000
    assert load_settings({"INBOXGRAPH_GC_THRESHOLD": "700"}).gc_threshold == 700
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_GC_THRESHOLD"):
        load_settings({"INBOXGRAPH_GC_THRESHOLD": "0"})


def test_jobs_and_idempotency_are_kept_as_configured() -> None:
    settings = load_settings(
        {
            "INBOXGRAPH_JOB_RETENTION_SECONDS": "3600",
            "INBOXGRAPH_IDEMPOTENCY_SECONDS": "60",
            "INBOXGRAPH_JOB_LEASE_SECONDS": "2.5",
            "INBOXGRAPH_MAX_JOB_ITEMS": "50",
        }
    )
    assert settings.jobs.retention_seconds == 3600
    assert settings.jobs.idempotency_seconds == 60
    assert settings.jobs.lease_seconds == 2.5
    assert settings.limits.max_job_items == 50
    defaults = load_settings({})
    assert (defaults.jobs.retention_seconds, defaults.jobs.idempotency_seconds) == (86400, 86400)
    assert defaults.limits.max_job_items == 10_000


def test_a_lease_of_no_time_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_JOB_LEASE_SECONDS"):
        load_settings({"INBOXGRAPH_JOB_LEASE_SECONDS": "0"})
