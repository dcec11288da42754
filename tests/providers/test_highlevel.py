"""HighLevel adapter: documented rules, the exact upstream request, errors and 403 retries."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from inboxgraph.providers.errors import InvalidInput, ProviderError
from inboxgraph.providers.highlevel import HighLevelAdapter, forbidden_backoff
from inboxgraph.schema.enums import HighLevelMessageStatus, Provider, UpdateErrorCode
from inboxgraph.schema.inputs import HighLevelMessageStatusUpdate, HighLevelProviderErrorInput
from inboxgraph.upstreams import connect_upstreams
from tests.support import LIVE_TOKENS, app_client, live_settings, mock_upstream, update_one

MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
UPDATED = {"conversationId": CONVERSATION_ID, "messageId": MESSAGE_ID}
FORBIDDEN_BODY = {
    "statusCode": 403,
    "message": "You do not have permission to access this resource",
    "error": "Forbidden",
}
PROVIDER_ERROR = HighLevelProviderErrorInput(
    code="1", type="saas", message="There was an error from the provider"
)


def _update(**changes: Any) -> HighLevelMessageStatusUpdate:
    fields: dict[str, Any] = {"message_id": MESSAGE_ID, "status": HighLevelMessageStatus.READ}
    fields.update(changes)
    return HighLevelMessageStatusUpdate(**fields)


async def test_update_sends_documented_request() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            200, json={**UPDATED, "emailMessageId": "rnGyqh2F6uBrIkfhFo9A"}
        )
    )
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client,
            {
                "highLevel": {
                    "messageId": MESSAGE_ID,
                    "status": "FAILED",
                    "error": {
                        "code": "1",
                        "type": "saas",
                        "message": "There was an error from the provider",
                    },
                    "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
                    "recipients": ["jane@example.com", "john@example.com"],
                }
            },
        )
    [request] = seen
    assert request.method == "PUT"
    assert str(request.url) == (
        f"https://services.leadconnectorhq.com/conversations/messages/{MESSAGE_ID}/status"
    )
    assert request.headers["Authorization"] == f"Bearer {LIVE_TOKENS[HighLevelAdapter.provider]}"
    assert request.headers["Version"] == "2021-04-15"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "status": "failed",
        "error": {"code": "1", "type": "saas", "message": "There was an error from the provider"},
        "emailMessageId": "rnGyqh2F6uBrIkfhFo9A",
        "recipients": ["jane@example.com", "john@example.com"],
    }
    assert result == {
        "__typename": "ConversationUpdated",
        "provider": "HIGHLEVEL",
        "conversation": {
            "__typename": "HighLevelConversation",
            "id": CONVERSATION_ID,
            "message": {"id": MESSAGE_ID, "status": "FAILED"},
        },
    }


async def test_configured_base_url_is_used() -> None:
    transport, seen = mock_upstream(lambda request: httpx.Response(200, json=UPDATED))
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_BASE_URL="https://ghl.internal/proxy/")
    async with app_client(settings, transport) as client:
        await update_one(client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}})
    assert str(seen[0].url) == (
        f"https://ghl.internal/proxy/conversations/messages/{MESSAGE_ID}/status"
    )
    assert json.loads(seen[0].content) == {"status": "read"}


def test_build_update_sends_only_given_fields() -> None:
    request = HighLevelAdapter(forbidden_retry_seconds=0).build_update(
        _update(status=HighLevelMessageStatus.DELIVERED)
    )
    assert (request.method, request.path, request.json) == (
        "PUT",
        f"/conversations/messages/{MESSAGE_ID}/status",
        {"status": "delivered"},
    )


def test_build_update_escapes_the_message_id() -> None:
    request = HighLevelAdapter(forbidden_retry_seconds=0).build_update(_update(message_id="a/b c?"))
    assert request.path == "/conversations/messages/a%2Fb%20c%3F/status"


async def test_answer_without_conversation_id_is_upstream_error() -> None:
    transport, _ = mock_upstream(lambda request: httpx.Response(200, json={"messageId": "x"}))
    async with app_client(live_settings(), transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert (result["code"], result["providerStatus"]) == ("UPSTREAM_ERROR", 200)


@pytest.mark.parametrize(
    ("update", "field"),
    [
        (_update(message_id=""), "highLevel.messageId"),
        (_update(message_id="  "), "highLevel.messageId"),
        (_update(email_message_id=" "), "highLevel.emailMessageId"),
        (_update(recipients=[]), "highLevel.recipients"),
        (_update(recipients=["jane@example.com", " "]), "highLevel.recipients"),
        # The provider's error explains a failure: with any other status it means nothing.
        (_update(status=HighLevelMessageStatus.READ, error=PROVIDER_ERROR), "highLevel.error"),
        (
            _update(
                status=HighLevelMessageStatus.FAILED,
                error=HighLevelProviderErrorInput(code=" ", type="saas", message="m"),
            ),
            "highLevel.error.code",
        ),
        (
            _update(
                status=HighLevelMessageStatus.FAILED,
                error=HighLevelProviderErrorInput(code="1", type="", message="m"),
            ),
            "highLevel.error.type",
        ),
        (
            _update(
                status=HighLevelMessageStatus.FAILED,
                error=HighLevelProviderErrorInput(code="1", type="saas", message="\t"),
            ),
            "highLevel.error.message",
        ),
    ],
)
def test_validate_refuses_documented_violations(
    update: HighLevelMessageStatusUpdate, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        HighLevelAdapter(forbidden_retry_seconds=0).validate(update)
    assert caught.value.field == field
    assert caught.value.code is UpdateErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    "update",
    [
        _update(),
        _update(status=HighLevelMessageStatus.FAILED, error=PROVIDER_ERROR),
        _update(status=HighLevelMessageStatus.FAILED),
        _update(email_message_id="rnGyqh2F6uBrIkfhFo9A", recipients=["jane@example.com"]),
    ],
)
def test_validate_accepts_documented_updates(update: HighLevelMessageStatusUpdate) -> None:
    HighLevelAdapter(forbidden_retry_seconds=0).validate(update)


@pytest.mark.parametrize(
    ("body", "provider_code", "message"),
    [
        (FORBIDDEN_BODY, "403", "You do not have permission to access this resource"),
        (
            {
                "statusCode": 400,
                "message": ["status must be one of the following values", "property x"],
                "error": "Bad Request",
            },
            "400",
            "status must be one of the following values; property x",
        ),
        ({"statusCode": 400, "message": "Bad Request"}, "400", "Bad Request"),
        ({"statusCode": 502, "error": "Bad Gateway"}, "502", "Bad Gateway"),
        ({"statusCode": True, "message": []}, None, None),
        ("<html>Bad Gateway</html>", None, None),
        (None, None, None),
    ],
)
def test_error_details_reads_highlevel_error_body(
    body: Any, provider_code: str | None, message: str | None
) -> None:
    details = HighLevelAdapter(forbidden_retry_seconds=0).error_details(400, body)
    assert (details.code, details.provider_code, details.message) == (None, provider_code, message)


@pytest.mark.parametrize(
    ("budget", "delays"),
    [
        (10.0, (0.5, 1.0, 2.0, 4.0, 2.5)),
        (1.5, (0.5, 1.0)),
        (1.0, (0.5, 0.5)),
        (0.2, (0.2,)),
        (0.0, ()),
    ],
)
def test_forbidden_backoff_doubles_within_the_budget(
    budget: float, delays: tuple[float, ...]
) -> None:
    assert forbidden_backoff(budget) == pytest.approx(delays)
    assert sum(forbidden_backoff(budget)) == pytest.approx(budget)


def _forbidden() -> ProviderError:
    return ProviderError(
        UpdateErrorCode.FORBIDDEN, "HighLevel answered HTTP 403", provider_status=403
    )


def test_retry_delay_retries_only_forbidden_and_says_so_when_giving_up() -> None:
    adapter = HighLevelAdapter(forbidden_retry_seconds=1.5)
    error = _forbidden()
    assert [adapter.retry_delay(error, attempt) for attempt in range(3)] == [0.5, 1.0, None]
    assert error.message == (
        "HighLevel answered HTTP 403 (still refused after retrying for 1.5 s, 2 retries; HighLevel "
        "refuses status updates for about 5-10 s after a message is sent, and always when "
        "this app is not the conversation's provider)"
    )
    for code in set(UpdateErrorCode) - {UpdateErrorCode.FORBIDDEN}:
        assert adapter.retry_delay(ProviderError(code, "no"), 0) is None


def test_retry_budget_zero_gives_up_at_once_without_rewording() -> None:
    error = _forbidden()
    assert HighLevelAdapter(forbidden_retry_seconds=0).retry_delay(error, 0) is None
    assert error.message == "HighLevel answered HTTP 403"


def test_negative_retry_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        HighLevelAdapter(forbidden_retry_seconds=-1)


async def test_forbidden_is_retried_with_the_same_request_until_it_succeeds() -> None:
    answers = iter([httpx.Response(403, json=FORBIDDEN_BODY), httpx.Response(200, json=UPDATED)])
    transport, seen = mock_upstream(lambda request: next(answers))
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="0.05")
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "DELIVERED"}}
        )
    assert result["__typename"] == "ConversationUpdated"
    assert len(seen) == 2
    assert [(r.method, str(r.url), r.content) for r in seen[1:]] == [
        (seen[0].method, str(seen[0].url), seen[0].content)
    ]


async def test_other_errors_are_not_retried() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(
            404, json={"statusCode": 404, "message": "Message not found", "error": "Not Found"}
        )
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="5")
    async with app_client(settings, transport) as client:
        result = await update_one(
            client, {"highLevel": {"messageId": MESSAGE_ID, "status": "READ"}}
        )
    assert result["code"] == "NOT_FOUND"
    assert len(seen) == 1


async def test_read_gets_each_conversation_and_treats_404_as_missing() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(
                404, json={"statusCode": 404, "message": "Conversation not found"}
            )
        return httpx.Response(200, json={"id": "ABC12h2F6uBrIkfXYazb", "unreadCount": 0})

    transport, seen = mock_upstream(upstream)
    gateway = connect_upstreams(live_settings(), transport=transport).gateway(Provider.HIGHLEVEL)
    found = await gateway.read(["ABC12h2F6uBrIkfXYazb", "missing"])
    assert list(found) == ["ABC12h2F6uBrIkfXYazb"]
    assert found["ABC12h2F6uBrIkfXYazb"].message is None
    assert sorted(str(r.url) for r in seen) == [
        "https://services.leadconnectorhq.com/conversations/ABC12h2F6uBrIkfXYazb",
        "https://services.leadconnectorhq.com/conversations/missing",
    ]
    assert all(r.headers["Version"] == "2021-04-15" for r in seen)


async def test_read_never_retries_a_forbidden_answer() -> None:
    transport, seen = mock_upstream(
        lambda request: httpx.Response(403, json={"statusCode": 403, "message": "Forbidden"})
    )
    settings = live_settings(INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS="5")
    gateway = connect_upstreams(settings, transport=transport).gateway(Provider.HIGHLEVEL)
    with pytest.raises(ProviderError) as caught:
        await gateway.read(["ABC12h2F6uBrIkfXYazb"])
    assert caught.value.code is UpdateErrorCode.FORBIDDEN
    assert len(seen) == 1
