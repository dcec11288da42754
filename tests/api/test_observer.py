"""Every operation is counted and timed by name, type, outcome and tenant; names that
would grow the metrics without bound are counted as `other`."""

from __future__ import annotations

from pathlib import Path

import httpx

from inboxgraph.config import load_settings
from inboxgraph.observability.metrics import MAX_OPERATION_NAME_CHARS, OperationNames
from tests.support import app_client, metric

MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
ARCHIVE = f'{{ updateConversation(input: {{puffle: {{id: "{MINE}", status: ARCHIVED}}}}) {{ __typename }} }}'


def operations(operation: str, type_: str, outcome: str, tenant: str = "default") -> float:
    return metric(
        "inboxgraph_graphql_operations_total",
        operation=operation,
        type=type_,
        outcome=outcome,
        tenant=tenant,
    )


async def test_an_operation_that_ran_without_errors_is_ok_and_timed(
    sandbox_client: httpx.AsyncClient,
) -> None:
    timed = metric(
        "inboxgraph_graphql_operation_duration_seconds_count",
        operation="ObservedArchive",
        type="mutation",
    )
    await sandbox_client.post("/graphql", json={"query": f"mutation ObservedArchive {ARCHIVE}"})
    assert operations("ObservedArchive", "mutation", "ok") == 1
    assert (
        metric(
            "inboxgraph_graphql_operation_duration_seconds_count",
            operation="ObservedArchive",
            type="mutation",
        )
        == timed + 1
    )


async def test_an_update_that_failed_is_still_an_ok_operation(
    sandbox_client: httpx.AsyncClient,
) -> None:
    """UpdateFailed is data: the operation itself has no error."""
    response = await sandbox_client.post(
        "/graphql",
        json={
            "query": "mutation ObservedNotFound { updateConversation(input: {puffle: "
            '{id: "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002", status: ARCHIVED}}) { __typename } }'
        },
    )
    assert response.json()["data"]["updateConversation"]["__typename"] == "UpdateFailed"
    assert operations("ObservedNotFound", "mutation", "ok") == 1


async def test_an_operation_with_errors_in_its_result(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/graphql",
        json={
            "query": 'query ObservedVcitaRead { conversation(ref: {vcita: {uid: "89m2pnabgozdvd9f"}}) { __typename } }'
        },
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "READ_UNSUPPORTED"
    assert operations("ObservedVcitaRead", "query", "errors") == 1


async def test_operations_not_run_are_refused(sandbox_client: httpx.AsyncClient) -> None:
    unknown = operations("unknown", "unknown", "refused")
    refused = [
        # Not valid against the schema.
        {"query": "query ObservedInvalid { noSuchField }"},
        # Variables that do not fit.
        {
            "query": "mutation ObservedBadVariables($input: UpdateConversationInput!) "
            "{ updateConversation(input: $input) { __typename } }",
            "variables": {"input": {"puffle": {"id": MINE, "unreadCount": "three"}}},
        },
        # Over the upstream budget.
        {
            "query": "mutation ObservedTooMany { "
            + " ".join(
                f'a{i}: updateConversation(input: {{puffle: {{id: "{MINE}", unreadCount: {i}}}}}) {{ __typename }}'
                for i in range(101)
            )
            + " }"
        },
    ]
    for body in refused:
        await sandbox_client.post("/graphql", json=body)
    # A mutation over GET.
    await sandbox_client.get("/graphql", params={"query": f"mutation ObservedOverGet {ARCHIVE}"})
    # Not even a document.
    await sandbox_client.post("/graphql", json={"query": "mutation {"})
    assert operations("ObservedInvalid", "query", "refused") == 1
    assert operations("ObservedBadVariables", "mutation", "refused") == 1
    assert operations("ObservedTooMany", "mutation", "refused") == 1
    assert operations("ObservedOverGet", "mutation", "refused") == 1
    assert operations("unknown", "unknown", "refused") == unknown + 1


async def test_an_operation_without_a_name_is_anonymous(sandbox_client: httpx.AsyncClient) -> None:
    before = operations("anonymous", "query", "ok")
    await sandbox_client.post("/graphql", json={"query": "{ providers { provider } }"})
    assert operations("anonymous", "query", "ok") == before + 1


async def test_the_tenant_is_the_one_the_caller_acts_as(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text('[tenants.observed]\napi_keys = ["observed-key-1"]\n')
    settings = load_settings({"INBOXGRAPH_TENANTS_FILE": str(tenants)})
    async with app_client(settings) as client:
        await client.post(
            "/graphql",
            json={"query": f"mutation ObservedTenant {ARCHIVE}"},
            headers={"Authorization": "Bearer observed-key-1"},
        )
    assert operations("ObservedTenant", "mutation", "ok", tenant="observed") == 1


def test_operation_names_past_the_limit_or_too_long_are_other() -> None:
    names = OperationNames(limit=2)
    assert [names.label(n) for n in ("A", "B", "A", "C", "B")] == ["A", "B", "A", "other", "B"]
    assert OperationNames().label("N" * (MAX_OPERATION_NAME_CHARS + 1)) == "other"


async def test_each_app_bounds_the_names_it_counts() -> None:
    """A caller inventing names cannot grow the metrics: past the limit they are `other`."""
    before = operations("other", "query", "ok")
    async with app_client() as client:
        for n in range(101):
            await client.post("/graphql", json={"query": f"query Invented{n} {{ __typename }}"})
    assert operations("Invented99", "query", "ok") == 1
    assert operations("Invented100", "query", "ok") == 0
    assert operations("other", "query", "ok") == before + 1
