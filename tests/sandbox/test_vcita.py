"""vcita emulator: the documented semantics, straight over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inboxgraph.sandbox.vcita import (
    SANDBOX_CLIENT_UID,
    SANDBOX_STAFF_UID,
    SANDBOX_TOKEN,
    VcitaState,
    create_app,
)

UID = "89m2pnabgozdvd9f"
MERGED_UID = "mrg0000000000001"
NOW = datetime(2026, 5, 6, 10, 0, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
OTHER_STAFF_TOKEN = "other-staff-token"
OTHER_STAFF_UID = "stf0other0000002"


@pytest.fixture
def state() -> VcitaState:
    state = VcitaState(clock=lambda: NOW)
    state.tokens[OTHER_STAFF_TOKEN] = OTHER_STAFF_UID
    return state


@pytest.fixture
async def vcita(state: VcitaState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://vcita", headers=AUTH) as c:
        yield c


async def put(
    client: httpx.AsyncClient, body: Any, uid: str = UID, **kwargs: Any
) -> httpx.Response:
    return await client.put(f"/v2/conversations/{uid}", json=body, **kwargs)


def follow_up(state: VcitaState, staff_uid: str = SANDBOX_STAFF_UID) -> dict[str, Any] | None:
    return state.collaborators.get((staff_uid, UID))


async def test_put_updates_and_answers_the_v2_envelope(vcita: httpx.AsyncClient) -> None:
    response = await put(vcita, {"archived": True, "business_unread": True})
    assert response.status_code == 200
    assert response.json() == {
        "status": "OK",
        "data": {
            "conversation": {
                "uid": UID,
                "archived": True,
                "spam": False,
                "business_unread": True,
                "deleted": False,
                "deleted_at": None,
                "campaign": None,
                "mobile": False,
                "client": {"uid": SANDBOX_CLIENT_UID, "first_name": "Sandy"},
            }
        },
    }


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer wrong"}, {"Authorization": ""}, {"Authorization": "Basic x"}],
)
async def test_requires_staff_bearer_token(
    vcita: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await put(vcita, {"archived": True}, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"status": "Error", "error": "Unauthorized"}


async def test_unknown_uid_is_404(vcita: httpx.AsyncClient) -> None:
    response = await put(vcita, {"archived": True}, uid="nosuchconversation")
    assert response.status_code == 404
    assert response.json() == {"status": "Error", "error": "Conversation not found"}


async def test_merged_uid_is_routed_to_its_target(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(vcita, {"spam": True}, uid=MERGED_UID)
    assert response.status_code == 200
    assert response.json()["data"]["conversation"]["uid"] == UID
    assert state.conversations[UID]["spam"] is True
    assert state.conversations[MERGED_UID]["spam"] is False


async def test_malformed_json_is_400(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    response = await vcita.put(f"/v2/conversations/{UID}", content=b"{archived: true")
    assert response.status_code == 400
    assert response.json()["status"] == "Error"


@pytest.mark.parametrize("body", [None, {}, [{"archived": True}]])
async def test_all_fields_are_optional(
    vcita: httpx.AsyncClient, state: VcitaState, body: Any
) -> None:
    before = dict(state.conversations[UID])
    if body is None:
        response = await vcita.put(f"/v2/conversations/{UID}")
    else:
        response = await put(vcita, body)
    assert response.status_code == 200
    assert state.conversations[UID] == before


async def test_only_permitted_fields_are_applied(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(
        vcita,
        {
            "campaign": "spring-sale",
            "source_type": "email_campaign",
            "mobile": True,
            "uid": "hijacked0000000",
            "merged_into": "elsewhere",
            "client_uid": "someone-else",
        },
    )
    assert response.status_code == 200
    conversation = state.conversations[UID]
    assert (conversation["campaign"], conversation["source_type"], conversation["mobile"]) == (
        "spring-sale",
        "email_campaign",
        True,
    )
    assert conversation["uid"] == UID
    assert conversation["merged_into"] is None
    assert conversation["client_uid"] == SANDBOX_CLIENT_UID


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        ("1", True),
        (1, True),
        (False, False),
        ("0", False),
        ("false", False),
        (0, False),
    ],
)
async def test_booleans_are_cast_like_rails(
    vcita: httpx.AsyncClient, state: VcitaState, value: Any, expected: bool
) -> None:
    state.conversations[UID]["archived"] = not expected
    await put(vcita, {"archived": value})
    assert state.conversations[UID]["archived"] is expected


async def test_spam_is_applied_to_the_client(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    await put(vcita, {"spam": True})
    assert state.conversations[UID]["spam"] is True
    assert state.clients[SANDBOX_CLIENT_UID]["spam"] is True
    await put(vcita, {"spam": False})
    assert state.clients[SANDBOX_CLIENT_UID]["spam"] is False


async def test_business_unread_is_propagated_to_the_staff_collaborator(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"business_unread": True})
    assert state.conversations[UID]["business_unread"] is True
    collaborator = follow_up(state)
    assert collaborator is not None and collaborator["business_unread"] is True
    assert follow_up(state, OTHER_STAFF_UID) is None


async def test_deleted_true_soft_deletes(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    response = await put(vcita, {"deleted": True})
    conversation = response.json()["data"]["conversation"]
    assert (conversation["deleted"], conversation["deleted_at"]) == (
        True,
        "2026-05-06T10:00:00.000Z",
    )
    assert UID in state.conversations


async def test_deleted_true_again_sets_deleted_at_again(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"deleted": True})
    state.clock = lambda: NOW + timedelta(hours=1)
    response = await put(vcita, {"deleted": True})
    assert response.json()["data"]["conversation"]["deleted_at"] == "2026-05-06T11:00:00.000Z"


@pytest.mark.parametrize("value", [False, "false", "0", 0], ids=repr)
async def test_deleted_false_clears_the_soft_delete(
    vcita: httpx.AsyncClient, state: VcitaState, value: Any
) -> None:
    await put(vcita, {"deleted": True})
    response = await put(vcita, {"deleted": value})
    conversation = response.json()["data"]["conversation"]
    assert (conversation["deleted"], conversation["deleted_at"]) == (False, None)
    assert (state.conversations[UID]["deleted"], state.conversations[UID]["deleted_at"]) == (
        False,
        None,
    )


async def test_soft_deleted_conversation_can_still_be_updated(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"deleted": True})
    response = await put(vcita, {"archived": True})
    assert response.status_code == 200
    assert response.json()["data"]["conversation"]["deleted"] is True


@pytest.mark.parametrize("value", [None, "", {"value": False}, [False]])
@pytest.mark.parametrize("name", ["archived", "business_unread", "spam", "deleted", "mobile"])
async def test_null_blank_or_structured_booleans_change_nothing(
    vcita: httpx.AsyncClient, state: VcitaState, name: str, value: Any
) -> None:
    await put(vcita, {name: True})
    before = dict(state.conversations[UID])
    client_before = dict(state.clients[SANDBOX_CLIENT_UID])
    collaborator_before = dict(follow_up(state) or {})
    response = await put(vcita, {name: value})
    assert response.status_code == 200
    assert response.json()["data"]["conversation"][name] is True
    assert state.conversations[UID] == before
    assert state.clients[SANDBOX_CLIENT_UID] == client_before
    assert dict(follow_up(state) or {}) == collaborator_before


@pytest.mark.parametrize("name", ["campaign", "source_type"])
async def test_null_campaign_or_source_type_clears_it(
    vcita: httpx.AsyncClient, state: VcitaState, name: str
) -> None:
    await put(vcita, {name: "spring-sale"})
    assert state.conversations[UID][name] == "spring-sale"
    response = await put(vcita, {name: None})
    assert response.status_code == 200
    assert state.conversations[UID][name] is None


async def test_absent_campaign_is_left_alone(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    await put(vcita, {"campaign": "spring-sale"})
    response = await put(vcita, {"mobile": True})
    assert response.json()["data"]["conversation"]["campaign"] == "spring-sale"


@pytest.mark.parametrize(
    ("value", "stored"),
    [(12, "12"), (True, "true"), ({"name": "x"}, "spring-sale"), (["x"], "spring-sale")],
)
async def test_campaign_keeps_ruby_scalars_only(
    vcita: httpx.AsyncClient, state: VcitaState, value: Any, stored: str
) -> None:
    await put(vcita, {"campaign": "spring-sale"})
    await put(vcita, {"campaign": value})
    assert state.conversations[UID]["campaign"] == stored


async def test_answer_leaves_source_type_to_the_deep_representation(
    vcita: httpx.AsyncClient,
) -> None:
    response = await put(vcita, {"source_type": "contact_form"})
    assert "source_type" not in response.json()["data"]["conversation"]


async def test_follow_up_true_creates_the_staff_follow_up(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(
        vcita,
        {
            "follow_up": True,
            "follow_up_message": "just a test",
            "follow_up_date": "2026-05-07T10:31:21Z",
        },
    )
    assert response.status_code == 200
    assert follow_up(state) == {
        "staff_uid": SANDBOX_STAFF_UID,
        "conversation_uid": UID,
        "business_unread": False,
        "follow_up": True,
        "follow_up_status": "active",
        "follow_up_message": "just a test",
        "follow_up_date": "2026-05-07T10:31:21.000Z",
    }
    assert follow_up(state, OTHER_STAFF_UID) is None
    assert state.messages == []


async def test_follow_up_message_defaults_to_empty(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True})
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up_message"], collaborator["follow_up_date"]) == ("", None)
    assert state.messages == []


async def test_follow_up_accepts_the_javascript_date_form(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(
        vcita,
        {
            "follow_up": True,
            "follow_up_date": "Wed May 06 2026 13:31:21 GMT+0300 (Israel Daylight Time)",
        },
    )
    assert response.status_code == 200
    collaborator = follow_up(state)
    assert collaborator is not None and collaborator["follow_up_date"] == "2026-05-06T10:31:21.000Z"


async def test_follow_up_unarchives_the_conversation(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    state.conversations[UID]["archived"] = True
    response = await put(vcita, {"follow_up": True})
    assert response.json()["data"]["conversation"]["archived"] is False


async def test_message_without_date_adds_an_internal_message(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True, "follow_up_message": "call back about pricing"})
    assert state.messages == [
        {
            "uid": "msg0000000000001",
            "conversation_uid": UID,
            "staff_uid": SANDBOX_STAFF_UID,
            "kind": "internal",
            "content_type": "text",
            "text": "call back about pricing",
            "created_at": "2026-05-06T10:00:00.000Z",
        }
    ]


@pytest.mark.parametrize(
    "date",
    ["2026-05-06T09:59:59Z", "2026-05-06T10:00:00Z", "Wed May 06 2026 12:00:00 GMT+0300 (IDT)"],
)
async def test_follow_up_date_in_the_past_is_422(
    vcita: httpx.AsyncClient, state: VcitaState, date: str
) -> None:
    state.conversations[UID]["archived"] = True
    response = await put(vcita, {"follow_up": True, "follow_up_date": date, "spam": True})
    assert response.status_code == 422
    assert response.json() == {"status": "Error", "error": "follow_up_date must be in the future"}
    assert follow_up(state) is None
    assert state.conversations[UID]["archived"] is True
    assert state.conversations[UID]["spam"] is False


@pytest.mark.parametrize("date", ["next tuesday", "2026-13-01T00:00:00Z", 1778063481, True])
async def test_unparseable_follow_up_date_is_422(
    vcita: httpx.AsyncClient, state: VcitaState, date: Any
) -> None:
    response = await put(vcita, {"follow_up": True, "follow_up_date": date})
    assert response.status_code == 422
    assert response.json() == {"status": "Error", "error": "follow_up_date is not a valid time"}
    assert follow_up(state) is None


async def test_follow_up_fields_without_follow_up_key_are_ignored(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(
        vcita,
        {"follow_up_date": "not a date", "follow_up_message": "hi", "complete_follow_up": True},
    )
    assert response.status_code == 200
    assert follow_up(state) is None
    assert state.messages == []


async def test_follow_up_true_with_archived_true_removes_and_does_not_archive(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True, "follow_up_message": "later"})
    response = await put(vcita, {"follow_up": True, "archived": True, "follow_up_date": "bad"})
    assert response.status_code == 200
    assert response.json()["data"]["conversation"]["archived"] is False
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up"], collaborator["follow_up_status"]) == (False, "dismissed")


async def test_follow_up_true_with_archived_true_and_complete_marks_completed(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True})
    await put(vcita, {"follow_up": True, "archived": True, "complete_follow_up": True})
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up"], collaborator["follow_up_status"]) == (False, "completed")


async def test_follow_up_false_removes(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    await put(vcita, {"follow_up": True})
    response = await put(vcita, {"follow_up": False, "archived": True})
    assert response.json()["data"]["conversation"]["archived"] is True
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up"], collaborator["follow_up_status"]) == (False, "dismissed")


async def test_follow_up_false_with_complete_marks_completed(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True})
    await put(vcita, {"follow_up": False, "complete_follow_up": True})
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up"], collaborator["follow_up_status"]) == (False, "completed")


async def test_follow_up_true_when_already_active_changes_nothing(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(
        vcita,
        {"follow_up": True, "follow_up_message": "first", "follow_up_date": "2026-06-01T00:00:00Z"},
    )
    state.conversations[UID]["archived"] = True
    response = await put(
        vcita,
        {
            "follow_up": True,
            "follow_up_message": "second",
            "follow_up_date": "2020-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 200
    assert response.json()["data"]["conversation"]["archived"] is True
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up_message"], collaborator["follow_up_date"]) == (
        "first",
        "2026-06-01T00:00:00.000Z",
    )


async def test_follow_up_false_when_none_is_active_changes_nothing(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True})
    await put(vcita, {"follow_up": False})
    await put(vcita, {"follow_up": False, "complete_follow_up": True})
    collaborator = follow_up(state)
    assert collaborator is not None and collaborator["follow_up_status"] == "dismissed"


@pytest.mark.parametrize("value", [None, ""])
async def test_null_or_blank_follow_up_removes_like_false(
    vcita: httpx.AsyncClient, state: VcitaState, value: Any
) -> None:
    await put(vcita, {"follow_up": True})
    response = await put(vcita, {"follow_up": value, "complete_follow_up": None})
    assert response.status_code == 200
    collaborator = follow_up(state)
    assert collaborator is not None
    assert (collaborator["follow_up"], collaborator["follow_up_status"]) == (False, "dismissed")


async def test_removing_without_an_active_follow_up_creates_no_record(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": False, "complete_follow_up": True})
    await put(vcita, {"follow_up": True, "archived": True})
    assert follow_up(state) is None


async def test_naive_follow_up_date_is_read_as_utc(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    response = await put(vcita, {"follow_up": True, "follow_up_date": "2026-05-06T10:00:01"})
    assert response.status_code == 200
    collaborator = follow_up(state)
    assert collaborator is not None and collaborator["follow_up_date"] == "2026-05-06T10:00:01.000Z"


async def test_merge_cycle_is_404(vcita: httpx.AsyncClient, state: VcitaState) -> None:
    state.conversations[UID]["merged_into"] = MERGED_UID
    response = await put(vcita, {"archived": True}, uid=MERGED_UID)
    assert response.status_code == 404


async def test_follow_ups_belong_to_the_requesting_staff(
    vcita: httpx.AsyncClient, state: VcitaState
) -> None:
    await put(vcita, {"follow_up": True, "follow_up_message": "mine"})
    other = {"Authorization": f"Bearer {OTHER_STAFF_TOKEN}"}
    await put(vcita, {"follow_up": True, "follow_up_message": "theirs"}, headers=other)
    await put(vcita, {"follow_up": False}, headers=other)
    mine, theirs = follow_up(state), follow_up(state, OTHER_STAFF_UID)
    assert mine is not None and theirs is not None
    assert (mine["follow_up"], mine["follow_up_message"]) == (True, "mine")
    assert (theirs["follow_up"], theirs["follow_up_message"]) == (False, "theirs")


async def test_no_single_conversation_read_endpoint(vcita: httpx.AsyncClient) -> None:
    response = await vcita.get(f"/v2/conversations/{UID}")
    assert response.status_code == 405
