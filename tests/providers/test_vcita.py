"""vcita adapter: documented rules, the exact upstream request and the assumed answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from inboxgraph.domain.outcomes import UpdateErrorCode
from inboxgraph.domain.provider import Provider
from inboxgraph.domain.vcita import VcitaConversationRef, VcitaConversationUpdate
from inboxgraph.providers.errors import ErrorDetails, InvalidInput, ReadUnsupported
from inboxgraph.providers.vcita import VcitaAdapter
from inboxgraph.upstreams import connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

UID = "89m2pnabgozdvd9f"
MERGED_UID = "mrg0000000000001"
NOW = datetime(2026, 5, 6, 10, 0, tzinfo=UTC)
FUTURE = NOW + timedelta(days=1)
#: Not representable in UTC: it would be 10000-01-01T23:58:59Z.
BEYOND_UTC = "9999-12-31T23:59:59-23:59"
CONVERSATION = {
    "uid": UID,
    "archived": False,
    "spam": True,
    "business_unread": True,
    "deleted": False,
}


def _ok(conversation: Any = CONVERSATION) -> httpx.Response:
    return httpx.Response(200, json={"status": "OK", "data": {"conversation": conversation}})


def _adapter() -> VcitaAdapter:
    return VcitaAdapter(clock=lambda: NOW)


async def _send(vcita: dict[str, Any]) -> tuple[dict[str, Any], list[httpx.Request]]:
    """The outcome of one vcita input through the app, and what reached vcita."""
    transport, seen = mock_upstream(lambda request: _ok())
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"vcita": vcita})
    return result, seen


async def test_update_sends_documented_request() -> None:
    result, seen = await _send(
        {
            "uid": UID,
            "businessUnread": True,
            "spam": True,
            "deleted": True,
            "campaign": "spring-sale",
            "sourceType": "contact_form",
            "mobile": False,
            "followUp": True,
            "followUpDate": "2099-05-06T13:31:21+03:00",
            "followUpMessage": "call back about pricing",
        }
    )
    [request] = seen
    assert request.method == "PUT"
    assert str(request.url) == f"https://api.vcita.biz/v2/conversations/{UID}"
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[Provider.VCITA]}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "business_unread": True,
        "spam": True,
        "deleted": True,
        "campaign": "spring-sale",
        "source_type": "contact_form",
        "mobile": False,
        "follow_up": True,
        "follow_up_date": "2099-05-06T10:31:21Z",
        "follow_up_message": "call back about pricing",
    }
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "VCITA",
        "conversation": {
            "__typename": "VcitaConversation",
            "uid": UID,
            "archived": False,
            "spam": True,
            "businessUnread": True,
            "deleted": False,
        },
    }


async def test_deleted_false_is_sent() -> None:
    result, seen = await _send({"uid": UID, "deleted": False})
    assert json.loads(seen[0].content) == {"deleted": False}
    assert result["__typename"] == "ConversationUpdated"


async def test_complete_follow_up_false_is_sent_when_creating_a_follow_up() -> None:
    result, seen = await _send({"uid": UID, "followUp": True, "completeFollowUp": False})
    assert json.loads(seen[0].content) == {"follow_up": True, "complete_follow_up": False}
    assert result["__typename"] == "ConversationUpdated"


@pytest.mark.parametrize("field", ["campaign", "sourceType"])
async def test_null_campaign_and_source_type_are_sent_as_null(field: str) -> None:
    _, seen = await _send({"uid": UID, field: None})
    wire_name = {"campaign": "campaign", "sourceType": "source_type"}[field]
    assert json.loads(seen[0].content) == {wire_name: None}


async def test_absent_campaign_and_source_type_are_not_sent() -> None:
    _, seen = await _send({"uid": UID, "mobile": True})
    assert json.loads(seen[0].content) == {"mobile": True}


async def test_merged_uid_reports_the_merge_target() -> None:
    transport, seen = mock_upstream(lambda request: _ok())
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"vcita": {"uid": MERGED_UID, "archived": True}})
    assert str(seen[0].url) == f"https://api.vcita.biz/v2/conversations/{MERGED_UID}"
    assert json.loads(seen[0].content) == {"archived": True}
    assert result["conversation"]["uid"] == UID


async def test_configured_base_url_is_used_and_uid_is_escaped() -> None:
    transport, seen = mock_upstream(lambda request: _ok())
    settings = live_settings(INBOXGRAPH_VCITA_BASE_URL="https://vcita.internal/proxy/")
    async with app_client(settings, transport) as client:
        await update_one(client, {"vcita": {"uid": "a b%ü", "spam": False}})
    assert seen[0].url.raw_path == b"/proxy/v2/conversations/a%20b%25%C3%BC"
    assert seen[0].url.host == "vcita.internal"


@pytest.mark.parametrize(
    "uid",
    [
        "",
        "   ",
        ".",
        "..",
        "a/b",
        "a\\b",
        "a?b",
        "a#b",
        "a\x00b",
        "a\nb",
        "a\x7fb",
        "x" * 257,
    ],
    ids=repr,
)
async def test_uid_that_cannot_be_one_path_segment_is_refused_before_sending(uid: str) -> None:
    result, seen = await _send({"uid": uid, "archived": True})
    assert (result["code"], result["field"]) == ("INVALID_INPUT", "vcita.uid")
    assert result["mayHaveBeenApplied"] is False
    assert seen == []


async def test_uid_of_256_characters_is_sent() -> None:
    _, seen = await _send({"uid": "x" * 256, "archived": True})
    assert seen[0].url.path == "/v2/conversations/" + "x" * 256


def test_build_update_sends_only_given_fields_in_vcita_names() -> None:
    request = _adapter().build_update(
        VcitaConversationUpdate(uid=UID, follow_up=False, complete_follow_up=True)
    )
    assert (request.method, request.path, request.json) == (
        "PUT",
        f"/v2/conversations/{UID}",
        {"follow_up": False, "complete_follow_up": True},
    )


def test_build_update_tells_absent_from_null_campaign_and_source_type() -> None:
    adapter = _adapter()
    cleared = VcitaConversationUpdate(uid=UID, campaign=None, source_type=None)
    assert adapter.build_update(cleared).json == {"campaign": None, "source_type": None}
    untouched = VcitaConversationUpdate(uid=UID, mobile=True)
    assert adapter.build_update(untouched).json == {"mobile": True}


def test_follow_up_date_is_sent_in_utc_with_trailing_z() -> None:
    date = datetime(2099, 1, 1, 9, 0, 0, 250000, tzinfo=timezone(timedelta(hours=-5)))
    request = _adapter().build_update(
        VcitaConversationUpdate(uid=UID, follow_up=True, follow_up_date=date)
    )
    assert request.json == {"follow_up": True, "follow_up_date": "2099-01-01T14:00:00.250000Z"}


@pytest.mark.parametrize(
    "body",
    [
        {"status": "Error", "error": "Conversation not found"},
        {"status": "OK", "data": {}},
        {"status": "OK", "data": []},
        {"status": "OK", "data": {"conversation": None}},
        {"status": "OK", "data": {"conversation": {**CONVERSATION, "uid": ""}}},
        {"status": "OK", "data": {"conversation": {**CONVERSATION, "archived": "false"}}},
        {"status": "OK", "data": {"conversation": {**CONVERSATION, "deleted": None}}},
        {
            "status": "OK",
            "data": {"conversation": {k: v for k, v in CONVERSATION.items() if k != "spam"}},
        },
        {"data": {"conversation": CONVERSATION}},
        [CONVERSATION],
        "OK",
    ],
)
async def test_unreadable_success_body_is_unconfirmed(body: Any) -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(200, json=body))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"vcita": {"uid": UID, "archived": True}})
    assert result["__typename"] == "UpdateFailed"
    assert (result["code"], result["providerStatus"]) == ("UNCONFIRMED", 200)
    assert (result["mayHaveBeenApplied"], result["retryable"]) == (True, False)
    assert len(seen) == 1


async def test_non_json_success_body_is_unconfirmed() -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, text="<html>OK</html>"))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(client, {"vcita": {"uid": UID, "archived": True}})
    assert (result["code"], result["mayHaveBeenApplied"]) == ("UNCONFIRMED", True)


@pytest.mark.parametrize(
    ("update", "field"),
    [
        (VcitaConversationUpdate(uid="  ", archived=True), "vcita.uid"),
        (VcitaConversationUpdate(uid="a/b", archived=True), "vcita.uid"),
        (VcitaConversationUpdate(uid=UID), "vcita"),
        # followUpDate and followUpMessage are only read when creating/updating a follow-up.
        (VcitaConversationUpdate(uid=UID, follow_up_date=FUTURE), "vcita.followUpDate"),
        (
            VcitaConversationUpdate(uid=UID, follow_up=False, follow_up_date=FUTURE),
            "vcita.followUpDate",
        ),
        (
            VcitaConversationUpdate(uid=UID, follow_up=True, archived=True, follow_up_date=FUTURE),
            "vcita.followUpDate",
        ),
        (VcitaConversationUpdate(uid=UID, follow_up_message="hi"), "vcita.followUpMessage"),
        (
            VcitaConversationUpdate(uid=UID, follow_up=False, follow_up_message="hi"),
            "vcita.followUpMessage",
        ),
        (
            VcitaConversationUpdate(uid=UID, follow_up=True, archived=True, follow_up_message=""),
            "vcita.followUpMessage",
        ),
        # A naive date has no meaning for "in the future"; a past or present one is refused.
        (
            VcitaConversationUpdate(
                uid=UID, follow_up=True, follow_up_date=FUTURE.replace(tzinfo=None)
            ),
            "vcita.followUpDate",
        ),
        (
            VcitaConversationUpdate(uid=UID, follow_up=True, follow_up_date=NOW),
            "vcita.followUpDate",
        ),
        (
            VcitaConversationUpdate(
                uid=UID, follow_up=True, follow_up_date=NOW - timedelta(seconds=1)
            ),
            "vcita.followUpDate",
        ),
        # A time that has no UTC equivalent cannot be sent in UTC.
        (
            VcitaConversationUpdate(
                uid=UID, follow_up=True, follow_up_date=datetime.fromisoformat(BEYOND_UTC)
            ),
            "vcita.followUpDate",
        ),
        # completeFollowUp: true is only read when a follow-up is removed.
        (VcitaConversationUpdate(uid=UID, complete_follow_up=True), "vcita.completeFollowUp"),
        (
            VcitaConversationUpdate(uid=UID, archived=True, complete_follow_up=True),
            "vcita.completeFollowUp",
        ),
        (
            VcitaConversationUpdate(uid=UID, follow_up=True, complete_follow_up=True),
            "vcita.completeFollowUp",
        ),
        (
            VcitaConversationUpdate(
                uid=UID, follow_up=True, archived=False, complete_follow_up=True
            ),
            "vcita.completeFollowUp",
        ),
    ],
)
def test_validate_refuses_documented_violations(
    update: VcitaConversationUpdate, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _adapter().validate(update)
    assert caught.value.field == field
    assert caught.value.code is UpdateErrorCode.INVALID_INPUT
    assert caught.value.message.startswith(f"{field}: ")


def test_follow_up_date_beyond_utc_is_refused_with_its_rule() -> None:
    update = VcitaConversationUpdate(
        uid=UID, follow_up=True, follow_up_date=datetime.fromisoformat(BEYOND_UTC)
    )
    with pytest.raises(InvalidInput, match="must be a time that exists in UTC"):
        _adapter().validate(update)


@pytest.mark.parametrize(
    "update",
    [
        VcitaConversationUpdate(uid=UID, archived=True),
        VcitaConversationUpdate(uid=UID, deleted=True, mobile=False, campaign=""),
        # vcita documents only `deleted: true`; `false` goes through as given.
        VcitaConversationUpdate(uid=UID, deleted=False),
        # A null campaign or source type clears it: that is a change to send.
        VcitaConversationUpdate(uid=UID, campaign=None),
        VcitaConversationUpdate(uid=UID, source_type=None),
        VcitaConversationUpdate(uid=UID, follow_up=True),
        VcitaConversationUpdate(
            uid=UID,
            follow_up=True,
            archived=False,
            follow_up_date=NOW + timedelta(seconds=1),
            follow_up_message="call back about pricing",
        ),
        VcitaConversationUpdate(
            uid=UID,
            follow_up=True,
            follow_up_date=(NOW + timedelta(hours=1)).astimezone(timezone(timedelta(hours=3))),
        ),
        VcitaConversationUpdate(uid=UID, follow_up=True, archived=True, complete_follow_up=True),
        VcitaConversationUpdate(uid=UID, follow_up=False, complete_follow_up=False),
        VcitaConversationUpdate(uid=UID, follow_up=False, archived=True),
        # completeFollowUp defaults to false, so sending false anywhere loses nothing.
        VcitaConversationUpdate(uid=UID, follow_up=True, complete_follow_up=False),
        VcitaConversationUpdate(uid=UID, follow_up=True, archived=False, complete_follow_up=False),
        VcitaConversationUpdate(uid=UID, spam=True, complete_follow_up=False),
        VcitaConversationUpdate(uid="x" * 256, archived=True),
    ],
)
def test_validate_accepts_documented_combinations(update: VcitaConversationUpdate) -> None:
    _adapter().validate(update)


def test_validate_uses_the_real_clock_by_default() -> None:
    adapter = VcitaAdapter()
    adapter.validate(
        VcitaConversationUpdate(
            uid=UID, follow_up=True, follow_up_date=datetime.now(UTC) + timedelta(minutes=5)
        )
    )
    with pytest.raises(InvalidInput):
        adapter.validate(
            VcitaConversationUpdate(
                uid=UID, follow_up=True, follow_up_date=datetime.now(UTC) - timedelta(minutes=5)
            )
        )


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"status": "Error", "error": "Conversation not found"},
            ErrorDetails(message="Conversation not found"),
        ),
        (
            {"success": False, "errors": [{"code": "unauthorized", "message": "Unauthorized"}]},
            ErrorDetails(provider_code="unauthorized", message="Unauthorized"),
        ),
        (
            {"message": "401 Unauthorized", "status": "Failure"},
            ErrorDetails(message="401 Unauthorized"),
        ),
        ({"success": False, "errors": ["boom"]}, ErrorDetails()),
        ({"status": "Error", "error": {"nested": True}}, ErrorDetails()),
        (None, ErrorDetails()),
        ("Internal Server Error", ErrorDetails()),
    ],
)
def test_error_details_read_vcita_error_bodies(body: Any, details: ErrorDetails) -> None:
    assert _adapter().error_details(422, body) == details


def test_target_is_the_uid() -> None:
    adapter = _adapter()
    assert adapter.target(VcitaConversationUpdate(uid=UID, spam=True)) == UID
    assert adapter.target(VcitaConversationUpdate(uid=MERGED_UID, spam=True)) == MERGED_UID


async def test_read_is_refused_without_any_upstream_call() -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(200))
    upstreams = connect_upstreams(live_settings(), transport=transport)
    try:
        with pytest.raises(ReadUnsupported, match="no endpoint"):
            await upstreams.client(Provider.VCITA).read([VcitaConversationRef(uid=UID)])
    finally:
        await upstreams.aclose()
    assert seen == []
