"""Read batches: what one batch holds is observed, per provider."""

from __future__ import annotations

from inboxgraph.upstreams import connect_upstreams
from tests.support import client_for, graphql, metric, sandbox_settings

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
THEIRS = "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002"
CONVERSATIONS = """query($refs: [ConversationRef!]!) {
  conversations(refs: $refs) { __typename } }"""


async def test_each_batch_size_is_observed_once_per_provider_and_request() -> None:
    puffle = {"provider": "PUFFLE", "kind": "read"}
    ebay = {"provider": "EBAY", "kind": "read"}
    before = {
        name: metric(f"inboxgraph_loader_batch_size_{name}", **labels)
        for name, labels in (("count", puffle), ("sum", puffle))
    }
    ebay_batches = metric("inboxgraph_loader_batch_size_count", **ebay)
    refs = [
        {"puffle": {"id": MINE}},
        {"puffle": {"id": THEIRS}},
        {"puffle": {"id": MINE}},  # the same ref again: the loader reads it once
        {"ebay": {"id": "1000000000001", "conversationType": "FROM_MEMBERS"}},
    ]
    async with client_for(connect_upstreams(sandbox_settings())) as client:
        body = await graphql(client, CONVERSATIONS, {"refs": refs})
    assert "errors" not in body
    assert metric("inboxgraph_loader_batch_size_count", **puffle) == before["count"] + 1
    assert metric("inboxgraph_loader_batch_size_sum", **puffle) == before["sum"] + 2
    assert metric("inboxgraph_loader_batch_size_count", **ebay) == ebay_batches + 1
