"""INBOXGRAPH_SANDBOX_FAULTS_<P>: the syntax, its refusals, and the seed."""

from __future__ import annotations

import pytest

from inboxgraph.config import ConfigurationError, load_settings
from inboxgraph.config.faults import FaultPlan, parse_fault_plan
from inboxgraph.domain.provider import Provider


def test_every_setting_is_read() -> None:
    plan = parse_fault_plan(
        "latency=50ms, error_rate=0.1, error_status=500, burst_429=5/100, retry_after=2,"
        "timeout_rate=0.05, malformed_rate=0.05, drop_rate=0.05, on=writes"
    )
    assert plan == FaultPlan(
        latency_seconds=0.05,
        error_rate=0.1,
        error_status=500,
        burst_429=5,
        burst_every=100,
        retry_after_seconds=2,
        timeout_rate=0.05,
        malformed_rate=0.05,
        drop_rate=0.05,
        writes_only=True,
    )


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("", FaultPlan()),
        ("latency=0.2", FaultPlan(latency_seconds=0.2)),
        ("latency=1.5s", FaultPlan(latency_seconds=1.5)),
        ("burst_429=3", FaultPlan(burst_429=3)),
        ("burst_429=3,retry_after=none", FaultPlan(burst_429=3, retry_after_seconds=None)),
        ("retry_after=4s", FaultPlan(retry_after_seconds=4)),
        ("ON=ALL", FaultPlan()),
    ],
)
def test_shorter_forms(text: str, plan: FaultPlan) -> None:
    assert parse_fault_plan(text) == plan


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("latency", "is not name=value"),
        ("latency=", "is not name=value"),
        ("jitter=5ms", "unknown setting 'jitter'"),
        ("latency=-1ms", "latency='-1ms'"),
        ("latency=soon", "latency='soon'"),
        ("error_rate=1.5", "between 0 and 1"),
        ("error_rate=nan", "between 0 and 1"),
        ("error_rate=0.6,drop_rate=0.6", "add up to 1.2"),
        ("error_status=404", "must be a 5xx status"),
        ("burst_429=-1", "whole number"),
        ("burst_429=5/3", "longer than its period"),
        ("on=reads", "'all' or 'writes'"),
        ("latency=1ms,latency=2ms", "given twice"),
    ],
)
def test_a_mistake_is_refused_naming_the_variable_and_the_setting(text: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"INBOXGRAPH_SANDBOX_FAULTS_EBAY": text})
    assert str(caught.value).startswith("INBOXGRAPH_SANDBOX_FAULTS_EBAY: ")
    assert says in str(caught.value)


def test_settings_hold_a_plan_per_provider_and_the_seed() -> None:
    settings = load_settings(
        {
            "INBOXGRAPH_SANDBOX_FAULTS_EBAY": "latency=50ms",
            "INBOXGRAPH_SANDBOX_FAULTS_PUFFLE": " ",
            "INBOXGRAPH_SANDBOX_FAULTS_SEED": "42",
        }
    )
    assert settings.sandbox_faults == {Provider.EBAY: FaultPlan(latency_seconds=0.05)}
    assert settings.sandbox_faults_seed == 42
    assert load_settings({}).sandbox_faults_seed is None


def test_the_seed_must_be_a_number() -> None:
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_SANDBOX_FAULTS_SEED"):
        load_settings({"INBOXGRAPH_SANDBOX_FAULTS_SEED": "lucky"})
