"""Sentinel credentials, hostile upstream answers that echo them, and a finder of leaks.

Every configured credential is a distinctive sentinel, so any piece of one found in a
response or a log line can only have come from the configuration.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from inboxgraph.config import Settings
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.errors import MAX_PROVIDER_MESSAGE_CHARS
from tests.served import Received
from tests.support import live_settings

#: Each provider's credential, and the one callers of /graphql present.
PROVIDER_SENTINELS = {
    p: f"SENTINEL-{p.name}-{hashlib.sha256(p.name.encode()).hexdigest()[:16]}" for p in Provider
}
API_SENTINEL = "SENTINEL-API-0b6e4d2a9c7f1358"
SENTINELS = (*PROVIDER_SENTINELS.values(), API_SENTINEL)
#: A run of this many characters of a sentinel is a leak (a credential cut in two is too).
LEAK_WINDOW = 12
#: Upstream calls time out this fast, so the timeout path is quick.
TIMEOUT_SECONDS = 0.25
#: A "huge" answer: several times what inboxgraph reads of one.
HUGE_BODY_BYTES = 4 * 1024 * 1024


def sentinel_settings(**extra: str) -> Settings:
    """Live mode for every provider, each credential a sentinel, /graphql behind one too."""
    env = {f"INBOXGRAPH_{p.name}_TOKEN": token for p, token in PROVIDER_SENTINELS.items()}
    env.update(
        INBOXGRAPH_API_TOKEN=API_SENTINEL,
        INBOXGRAPH_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
        # A retry sends the same request and gets the same answer: each answer is
        # checked once, without the waits retries add.
        INBOXGRAPH_RETRY_ATTEMPTS="1",
    )
    env.update(extra)
    return live_settings(**env)


def leaks(where: str, text: str) -> list[str]:
    """Where in `text` a piece of a sentinel appears, with what is around it."""
    found: list[str] = []
    for sentinel in SENTINELS:
        for start in range(len(sentinel) - LEAK_WINDOW + 1):
            at = text.find(sentinel[start : start + LEAK_WINDOW])
            if at >= 0:
                found.append(f"{where}: ...{text[max(at - 60, 0) : at + 60]!r}...")
                break
    return found


# --- Hostile answers: each echoes the request's Authorization header back ---

Answer = Callable[[httpx.Request], Awaitable[httpx.Response]]


def _authorization(request: httpx.Request) -> str:
    return str(request.headers.get("authorization", ""))


def echo_text(request: httpx.Request) -> str:
    return f"credentials {_authorization(request)} are not valid for this account"


def echo_error_body(request: httpx.Request, status: int) -> dict[str, Any]:
    """Every provider's error shape at once, its messages echoing the credential."""
    echoed = echo_text(request)
    return {
        "action": "request",
        "status": "error",
        "statusCode": status,
        "code": 102,
        "message": echoed,
        "error": echoed,
        "errors": [{"errorId": 1001, "code": "unauthorized", "message": echoed}],
    }


def echo_in_code_fields(request: httpx.Request, status: int) -> dict[str, Any]:
    """An error whose *codes* (not only messages) echo the credential."""
    echoed = echo_text(request)
    return {
        "action": "request",
        "status": "error",
        "statusCode": status,
        "code": echoed,
        "message": "refused",
        "error": "refused",
        "errors": [{"errorId": echoed, "code": echoed, "message": "refused"}],
    }


def echo_at_the_cut(request: httpx.Request, status: int) -> dict[str, Any]:
    """An error message long enough to be cut, the credential straddling the cut."""
    authorization = _authorization(request)
    # What is kept before the cut: "Bearer " and the credential's first few characters.
    pad = "x" * (MAX_PROVIDER_MESSAGE_CHARS - len("Bearer ") - LEAK_WINDOW - 4)
    body = echo_error_body(request, status)
    told = pad + authorization + " is not valid"
    body["message"] = body["error"] = told
    body["errors"] = [{"errorId": 1001, "code": "unauthorized", "message": told}]
    return body


# The records each provider's success answer describes (the ids the sandbox uses).
AYRSHARE_ID = "aWdfZMTpIyzQw"
PUFFLE_ID = "f11e8a2c-1234-4567-89ab-cdef01234567"
HIGHLEVEL_CONVERSATION_ID = "ABC12h2F6uBrIkfXYazb"
HIGHLEVEL_MESSAGE_ID = "ve9EPM428h8vShlRW1KT"
VCITA_UID = "89m2pnabgozdvd9f"
EBAY_ID = "1000000000001"


def _puffle_conversation(echoed: str) -> dict[str, Any]:
    return {
        "id": PUFFLE_ID,
        "status": "archived",
        "unread_count": 0,
        "channel": "linkedin",
        "participant_name": echoed,
        "last_message_preview": echoed,
        "last_message_at": "2026-04-22T10:00:00Z",
        "updated_at": "2026-04-22T10:00:00Z",
    }


def echo_success_body(provider: Provider, request: httpx.Request) -> Any:
    """The provider's own success answer to `request`, its free-text fields echoing the
    credential (ids stay the real ones)."""
    echoed = echo_text(request)
    reading = request.method == "GET"
    if provider is Provider.AYRSHARE:
        if reading:
            message = {"conversationId": AYRSHARE_ID, "message": echoed, "senderId": "s1"}
            return {"status": "success", "messages": [message], "lastUpdated": echoed}
        return {"status": "success", "message": echoed}
    if provider is Provider.PUFFLE:
        if reading:
            listing = [_puffle_conversation(echoed)]
            return {"conversations": listing, "total": 1, "page": 1, "limit": 50}
        return {"conversation": _puffle_conversation(echoed)}
    if provider is Provider.HIGHLEVEL:
        if request.url.path.startswith("/conversations/messages/") and reading:
            return {
                "id": HIGHLEVEL_MESSAGE_ID,
                "conversationId": HIGHLEVEL_CONVERSATION_ID,
                "status": "read",
                "body": echoed,
                "dateAdded": "2026-04-22T09:12:00.000Z",
            }
        if reading:
            return {"id": HIGHLEVEL_CONVERSATION_ID, "contactId": echoed, "unreadCount": 0}
        return {
            "conversationId": HIGHLEVEL_CONVERSATION_ID,
            "messageId": HIGHLEVEL_MESSAGE_ID,
            "emailMessageId": echoed,
        }
    if provider is Provider.VCITA:
        conversation = {
            "uid": VCITA_UID,
            "archived": True,
            "spam": False,
            "business_unread": False,
            "deleted": False,
            "title": echoed,
        }
        return {"status": "OK", "data": {"conversation": conversation}}
    if reading:
        detail = {
            "conversationId": EBAY_ID,
            "conversationStatus": "ACTIVE",
            "unreadCount": 0,
            "conversationTitle": echoed,
        }
        return {"conversations": [detail], "total": 1, "href": echoed}
    return {"message": echoed}


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def _text(status: int, text: str, media_type: str = "text/html") -> httpx.Response:
    return httpx.Response(status, content=text.encode(), headers={"content-type": media_type})


def _huge(status: int, request: httpx.Request) -> httpx.Response:
    head = json.dumps({"message": echo_text(request), "padding": ""})[:-2].encode()
    body = head + b"x" * HUGE_BODY_BYTES + b'"}'
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


def _malformed(status: int, request: httpx.Request) -> httpx.Response:
    body = f'{{"status": "error", "message": "{echo_text(request)}", "code": '
    return _text(status, body, "application/json")


async def _never_answers(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    raise AssertionError("the upstream call outlived its deadline")


def _raises(error: type[httpx.TransportError]) -> Answer:
    async def answer(request: httpx.Request) -> httpx.Response:
        raise error(f"failed talking to upstream with {echo_text(request)}", request=request)

    return answer


def _answering(make: Callable[[httpx.Request], httpx.Response]) -> Answer:
    async def answer(request: httpx.Request) -> httpx.Response:
        return make(request)

    return answer


def _json_echo(status: int) -> Answer:
    return _answering(lambda request: _json(status, echo_error_body(request, status)))


def _html_echo(status: int) -> Answer:
    def page(request: httpx.Request) -> httpx.Response:
        return _text(
            status, f"<html><body><h1>{status}</h1><p>{echo_text(request)}</p></body></html>"
        )

    return _answering(page)


def error_paths(provider: Provider) -> dict[str, Answer]:
    """Every way a provider's answer can go wrong, each echoing the credential it was sent
    where it can."""
    paths: dict[str, Answer] = {
        "200 with an unexpected body": _answering(
            lambda r: _json(200, {"unexpected": ["shape"], "id": 7})
        ),
        "200 echoing it in an error body": _answering(
            lambda r: _json(200, echo_error_body(r, 200))
        ),
        "200 echoing it in a success answer": _answering(
            lambda r: _json(200, echo_success_body(provider, r))
        ),
        "200 echoing it as plain text": _answering(lambda r: _text(200, echo_text(r))),
        "malformed JSON in a 200": _answering(lambda r: _malformed(200, r)),
        "malformed JSON in a 400": _answering(lambda r: _malformed(400, r)),
        "a huge 200, the credential first": _answering(lambda r: _huge(200, r)),
        "a huge 400, the credential first": _answering(lambda r: _huge(400, r)),
        "a huge 503, the credential first": _answering(lambda r: _huge(503, r)),
        "400 echoing it where the message is cut": _answering(
            lambda r: _json(400, echo_at_the_cut(r, 400))
        ),
        "400 echoing it in the error codes": _answering(
            lambda r: _json(400, echo_in_code_fields(r, 400))
        ),
        "a timeout": _never_answers,
        "a read error echoing it": _raises(httpx.ReadError),
        "a read timeout echoing it": _raises(httpx.ReadTimeout),
        "a connection error echoing it": _raises(httpx.ConnectError),
    }
    for status in (400, 401, 403, 404, 409, 429):
        paths[f"{status} echoing it in JSON"] = _json_echo(status)
    for status in (500, 502, 503):
        paths[f"{status} echoing it in HTML"] = _html_echo(status)
    return paths


@dataclass
class EchoingUpstream:
    """A MockTransport answering every call with `answer`, remembering each request."""

    answer: Answer
    seen: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        async def record(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return await self.answer(request)

        return httpx.MockTransport(record)


# --- A real HTTP upstream for a real server process ---


def echo_authorization(received: Received) -> tuple[int, str, bytes]:
    """A stub upstream's answer (see `tests.served.stub_server`) that carries the
    Authorization header it was sent, in its body.

    The first path segment chooses the answer: `json<status>` (the error shape of every
    provider, as JSON) or `html<status>` (an HTML page).
    """
    kind = received.path.lstrip("/").split("/", 1)[0]
    status = int(kind[4:])
    echoed = (
        f"credentials {received.headers.get('authorization', '')} are not valid for this account"
    )
    if kind.startswith("json"):
        body = json.dumps(
            {
                "action": "request",
                "status": "error",
                "statusCode": status,
                "message": echoed,
                "error": echoed,
                "errors": [{"errorId": 1001, "message": echoed}],
            }
        ).encode()
        return status, "application/json", body
    return status, "text/html", f"<html><body><p>{echoed}</p></body></html>".encode()


def all_leaks(texts: Iterable[tuple[str, str]]) -> list[str]:
    """`leaks` over several (where, text) pairs."""
    return [leak for where, text in texts for leak in leaks(where, text)]
