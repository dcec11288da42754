"""Every Provider member has every part a provider needs; a new one fails here until it does."""

from __future__ import annotations

import dataclasses
import sys
import typing
from pathlib import Path

import pytest

from inboxgraph.config import load_settings
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.base import ProviderAdapter
from inboxgraph.providers.registry import build_adapters
from inboxgraph.sandbox.registry import EMULATORS
from inboxgraph.schema.conversations import CONVERSATION_TYPES
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.schema.refs import ConversationRef
from tests.app.provider_cases import PROVIDER_CASES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _variant_providers(one_of: type) -> set[Provider]:
    """The providers of a `@oneOf` input's variants (each variant class names its own)."""
    hints = typing.get_type_hints(one_of)
    providers = set()
    for field in dataclasses.fields(one_of):
        for variant in typing.get_args(hints[field.name]):
            if variant is not type(None):
                providers.add(variant.provider)
    return providers


def what_is_missing(provider: Provider) -> list[str]:
    name = provider.name.lower()
    missing = []
    adapter = build_adapters(load_settings({})).get(provider)
    if adapter is None:
        missing.append("an adapter in inboxgraph/providers/registry.py")
    elif (
        adapter.read_unsupported_reason is None
        and type(adapter).read_conversations is ProviderAdapter.read_conversations
    ):
        missing.append("a reader (read_conversations) or a declared read_unsupported_reason")
    emulator = EMULATORS.get(provider)
    if emulator is None:
        missing.append("an emulator in inboxgraph/sandbox/registry.py")
    elif not emulator.seed():
        missing.append("sandbox seed records (its emulator's seed_conversations)")
    if provider not in _variant_providers(UpdateConversationInput):
        missing.append("a variant of UpdateConversationInput (inboxgraph/schema/inputs.py)")
    if provider not in _variant_providers(ConversationRef):
        missing.append("a variant of ConversationRef (inboxgraph/schema/refs.py)")
    if provider not in {view.record.provider for view in CONVERSATION_TYPES}:
        missing.append("a member of the Conversation union (inboxgraph/schema/conversations.py)")
    if not list((ROOT / "graphql" / "operations").glob(f"{name}-*.graphql")):
        missing.append(f"an example operation graphql/operations/{name}-*.graphql")
    if adapter is not None and f"\n### {adapter.display_name}\n" not in README:
        missing.append(f"a README section '### {adapter.display_name}'")
    for kind in ("providers", "sandbox", "app"):
        if not (ROOT / "tests" / kind / f"test_{name}.py").exists():
            missing.append(f"tests/{kind}/test_{name}.py")
    if provider not in PROVIDER_CASES:
        missing.append("a case in tests/app/provider_cases.py (the error table)")
    return missing


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name.lower())
def test_provider_has_every_part(provider: Provider) -> None:
    missing = what_is_missing(provider)
    assert not missing, f"{provider.name} lacks: " + "; ".join(missing)


def test_a_missing_example_operation_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "graphql" / "operations").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert "an example operation graphql/operations/puffle-*.graphql" in what_is_missing(
        Provider.PUFFLE
    )
