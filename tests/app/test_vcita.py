"""vcita through the whole app, in sandbox mode."""

from __future__ import annotations

from typing import Any

import httpx
from syrupy.assertion import SnapshotAssertion

from tests.support import update_many, update_one

UID = "89m2pnabgozdvd9f"
MERGED_UID = "mrg0000000000001"
FAR_FUTURE = "2099-01-01T09:00:00Z"


def flags(result: dict[str, Any]) -> tuple[bool, bool, bool, bool]:
    conversation = result["conversation"]
    return (
        conversation["archived"],
        conversation["spam"],
        conversation["businessUnread"],
        conversation["deleted"],
    )


async def test_archive(sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion) -> None:
    result = await update_one(sandbox_client, {"vcita": {"uid": UID, "archived": True}})
    assert flags(result) == (True, False, False, False)
    assert result == json_snapshot


async def test_spam_unread_and_soft_delete(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    result = await update_one(
        sandbox_client,
        {"vcita": {"uid": UID, "spam": True, "businessUnread": True, "deleted": True}},
    )
    assert flags(result) == (False, True, True, True)
    assert result == json_snapshot


async def test_merged_uid_lands_on_its_target(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    merged = await update_one(sandbox_client, {"vcita": {"uid": MERGED_UID, "spam": True}})
    target = await update_one(sandbox_client, {"vcita": {"uid": UID, "mobile": True}})
    assert merged["conversation"]["uid"] == UID
    assert target["conversation"]["spam"] is True
    assert merged == json_snapshot


async def test_follow_up_lifecycle(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    steps = [
        {"uid": UID, "archived": True},
        # Adding a follow-up unarchives the conversation.
        {"uid": UID, "followUp": True, "followUpMessage": "call back", "followUpDate": FAR_FUTURE},
        {"uid": UID, "archived": True},
        # The follow-up is already active: vcita changes nothing, so it stays archived.
        {"uid": UID, "followUp": True, "followUpMessage": "again"},
        {"uid": UID, "archived": False},
        # Dismissing removes the follow-up and does not archive.
        {"uid": UID, "followUp": True, "archived": True, "completeFollowUp": True},
        {"uid": UID, "archived": True},
        # It was removed, so this adds a new one, which unarchives again.
        {"uid": UID, "followUp": True},
        {"uid": UID, "followUp": False, "completeFollowUp": True},
    ]
    results = [await update_one(sandbox_client, {"vcita": step}) for step in steps]
    archived = [result["conversation"]["archived"] for result in results]
    assert archived == [True, False, True, True, False, False, True, False, False]
    assert results == json_snapshot


async def test_failures(
    sandbox_client: httpx.AsyncClient, json_snapshot: SnapshotAssertion
) -> None:
    results = await update_many(
        sandbox_client,
        [
            {"vcita": {"uid": "nosuchconversation", "archived": True}},
            {"vcita": {"uid": " ", "archived": True}},
            {"vcita": {"uid": UID}},
            {"vcita": {"uid": UID, "deleted": False}},
            {"vcita": {"uid": UID, "followUp": True, "followUpDate": "2020-01-01T00:00:00Z"}},
            {"vcita": {"uid": UID, "followUp": True, "followUpDate": "2099-01-01T09:00:00"}},
            {"vcita": {"uid": UID, "followUpDate": FAR_FUTURE}},
            {"vcita": {"uid": UID, "followUp": False, "followUpMessage": "bye"}},
            {"vcita": {"uid": UID, "followUp": True, "completeFollowUp": True}},
        ],
    )
    assert [(r["code"], r["field"]) for r in results] == [
        ("NOT_FOUND", None),
        ("INVALID_INPUT", "vcita.uid"),
        ("INVALID_INPUT", "vcita"),
        ("INVALID_INPUT", "vcita.deleted"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpMessage"),
        ("INVALID_INPUT", "vcita.completeFollowUp"),
    ]
    assert results == json_snapshot
