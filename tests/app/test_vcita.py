"""vcita through the whole app, in sandbox mode."""

from __future__ import annotations

import json
from typing import Any

import httpx
from syrupy.assertion import SnapshotAssertion

from inboxgraph.upstreams import Upstreams, connect_upstreams
from tests.support import client_for, record_upstream, sandbox_settings, update_many, update_one

UID = "89m2pnabgozdvd9f"
MERGED_UID = "mrg0000000000001"
FAR_FUTURE = "2099-01-01T09:00:00Z"
#: Not representable in UTC: it would be 10000-01-01T23:58:59Z.
BEYOND_UTC = "9999-12-31T23:59:59-23:59"


def flags(result: dict[str, Any]) -> tuple[bool, bool, bool, bool]:
    conversation = result["conversation"]
    return (
        conversation["archived"],
        conversation["spam"],
        conversation["businessUnread"],
        conversation["deleted"],
    )


def emulator_conversations(upstreams: Upstreams) -> list[dict[str, Any]]:
    """The conversation each emulator answer renders (with fields the schema leaves out)."""
    answers: list[dict[str, Any]] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        answers.append(response.json()["data"]["conversation"])

    upstreams.http.event_hooks["response"].append(record)
    return answers


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


async def test_deleted_false_undoes_a_soft_delete() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    answers = emulator_conversations(upstreams)
    async with client_for(upstreams) as client:
        deleted = await update_one(client, {"vcita": {"uid": UID, "deleted": True}})
        restored = await update_one(client, {"vcita": {"uid": UID, "deleted": False}})
    assert (deleted["conversation"]["deleted"], restored["conversation"]["deleted"]) == (
        True,
        False,
    )
    assert [json.loads(r.content) for r in sent] == [{"deleted": True}, {"deleted": False}]
    assert answers[0]["deleted_at"] is not None
    assert answers[1]["deleted_at"] is None


async def test_campaign_null_clears_it_and_absent_leaves_it() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    answers = emulator_conversations(upstreams)
    async with client_for(upstreams) as client:
        for vcita in (
            {"uid": UID, "campaign": "spring-sale"},
            {"uid": UID, "mobile": True},
            {"uid": UID, "campaign": None},
        ):
            result = await update_one(client, {"vcita": vcita})
            assert result["__typename"] == "ConversationUpdated", result
    assert [json.loads(r.content) for r in sent] == [
        {"campaign": "spring-sale"},
        {"mobile": True},
        {"campaign": None},
    ]
    assert [answer["campaign"] for answer in answers] == ["spring-sale", "spring-sale", None]


async def test_complete_follow_up_false_goes_with_a_new_follow_up() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        await update_one(client, {"vcita": {"uid": UID, "archived": True}})
        result = await update_one(
            client, {"vcita": {"uid": UID, "followUp": True, "completeFollowUp": False}}
        )
    # The follow-up was added: vcita unarchives the conversation when it adds one.
    assert result["__typename"] == "ConversationUpdated", result
    assert result["conversation"]["archived"] is False
    assert json.loads(sent[-1].content) == {"follow_up": True, "complete_follow_up": False}


async def test_follow_up_date_beyond_utc_fails_alone() -> None:
    upstreams = connect_upstreams(sandbox_settings())
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        beyond, sibling = await update_many(
            client,
            [
                {"vcita": {"uid": UID, "followUp": True, "followUpDate": BEYOND_UTC}},
                {"vcita": {"uid": UID, "archived": True}},
            ],
        )
    assert (beyond["code"], beyond["field"]) == ("INVALID_INPUT", "vcita.followUpDate")
    assert beyond["mayHaveBeenApplied"] is False
    assert sibling["__typename"] == "ConversationUpdated"
    assert sibling["conversation"]["archived"] is True
    assert [json.loads(r.content) for r in sent] == [{"archived": True}]


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
            {"vcita": {"uid": "..", "archived": True}},
            {"vcita": {"uid": UID}},
            {"vcita": {"uid": UID, "followUp": True, "followUpDate": "2020-01-01T00:00:00Z"}},
            {"vcita": {"uid": UID, "followUp": True, "followUpDate": "2099-01-01T09:00:00"}},
            {"vcita": {"uid": UID, "followUp": True, "followUpDate": BEYOND_UTC}},
            {"vcita": {"uid": UID, "followUpDate": FAR_FUTURE}},
            {"vcita": {"uid": UID, "followUp": False, "followUpMessage": "bye"}},
            {"vcita": {"uid": UID, "followUp": True, "completeFollowUp": True}},
        ],
    )
    assert [(r["code"], r["field"]) for r in results] == [
        ("NOT_FOUND", None),
        ("INVALID_INPUT", "vcita.uid"),
        ("INVALID_INPUT", "vcita.uid"),
        ("INVALID_INPUT", "vcita"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpDate"),
        ("INVALID_INPUT", "vcita.followUpMessage"),
        ("INVALID_INPUT", "vcita.completeFollowUp"),
    ]
    assert not any(r["mayHaveBeenApplied"] for r in results)
    assert results == json_snapshot
