"""No credential reaches a response or a log line, whatever a provider answers.

Every credential is a sentinel (`tests.secrets_support`). For every provider, every way
its answer can go wrong (each echoing the credential it was sent where it can) and every
operation that reaches it (an update, `conversation(ref:)`, `_entities`), no piece of a
sentinel may appear in the GraphQL answer (body or headers) or in any log record at
DEBUG, formatted with its traceback. A last test does the same with a real `inboxgraph
serve` process talking to a real HTTP server that echoes the credential.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from inboxgraph.cli import configure_logging
from inboxgraph.domain.provider import Provider
from inboxgraph.providers.registry import build_adapters
from inboxgraph.secrets import MASK, RedactingFilter, Redactor
from inboxgraph.upstreams import connect_upstreams
from tests.app.provider_cases import PROVIDER_CASES
from tests.ports import free_port
from tests.secrets_support import (
    API_SENTINEL,
    AYRSHARE_ID,
    EBAY_ID,
    HIGHLEVEL_CONVERSATION_ID,
    LEAK_WINDOW,
    PROVIDER_SENTINELS,
    PUFFLE_ID,
    SENTINELS,
    VCITA_UID,
    EchoingUpstream,
    all_leaks,
    echo_authorization,
    error_paths,
    sentinel_settings,
)
from tests.served import stub_server, wait_until_up
from tests.support import UPDATE_ONE, client_for

SELECTION = """
  __typename
  ... on AyrshareConversation { platform id ayrshareStatus: status }
  ... on PuffleConversation { id status unreadCount channel participantName updatedAt }
  ... on HighLevelConversation { id message { id status } }
  ... on VcitaConversation { uid archived spam businessUnread deleted }
  ... on EbayConversation { id conversationType conversationStatus read }
"""
CONVERSATION = "query($ref: ConversationRef!) { conversation(ref: $ref) { SELECTION } }".replace(
    "SELECTION", SELECTION
)
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { SELECTION } }".replace(
    "SELECTION", SELECTION
)
#: A reference to one conversation per provider, as `conversation(ref:)` takes it.
REFS: dict[Provider, dict[str, Any]] = {
    Provider.AYRSHARE: {"ayrshare": {"platform": "INSTAGRAM", "id": AYRSHARE_ID}},
    Provider.PUFFLE: {"puffle": {"id": PUFFLE_ID}},
    Provider.HIGHLEVEL: {"highLevel": {"id": HIGHLEVEL_CONVERSATION_ID}},
    Provider.VCITA: {"vcita": {"uid": VCITA_UID}},
    Provider.EBAY: {"ebay": {"id": EBAY_ID, "conversationType": "FROM_MEMBERS"}},
}
#: The same conversations as federation representations.
REPRESENTATIONS: dict[Provider, dict[str, Any]] = {
    Provider.AYRSHARE: {
        "__typename": "AyrshareConversation",
        "platform": "INSTAGRAM",
        "id": AYRSHARE_ID,
    },
    Provider.PUFFLE: {"__typename": "PuffleConversation", "id": PUFFLE_ID},
    Provider.HIGHLEVEL: {"__typename": "HighLevelConversation", "id": HIGHLEVEL_CONVERSATION_ID},
    Provider.VCITA: {"__typename": "VcitaConversation", "uid": VCITA_UID},
    Provider.EBAY: {
        "__typename": "EbayConversation",
        "id": EBAY_ID,
        "conversationType": "FROM_MEMBERS",
    },
}
OPERATIONS = ("update", "conversation", "_entities")
#: Loggers that may hold back DEBUG records unless told otherwise.
LOGGERS = ("", "inboxgraph", "httpx", "httpcore", "strawberry", "asyncio", "uvicorn")

READ_UNSUPPORTED = {
    provider
    for provider, adapter in build_adapters(sentinel_settings()).items()
    if adapter.read_unsupported_reason is not None
}


def _document(provider: Provider, operation: str) -> tuple[str, dict[str, Any]]:
    if operation == "update":
        return UPDATE_ONE, {"input": PROVIDER_CASES[provider].valid_input}
    if operation == "conversation":
        return CONVERSATION, {"ref": REFS[provider]}
    return ENTITIES, {"r": [REPRESENTATIONS[provider]]}


def _cases() -> list[Any]:
    return [
        pytest.param(provider, path, operation, id=f"{provider.name.lower()}-{operation}-{path}")
        for provider in Provider
        for path in error_paths(provider)
        for operation in OPERATIONS
    ]


def _capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)


def _formatted(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """Each record as a handler would write it, traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [(f"log record {r.name}:{r.lineno}", formatter.format(r)) for r in records]


@pytest.mark.parametrize(("provider", "path", "operation"), _cases())
async def test_no_credential_leaves_whatever_the_provider_answers(
    provider: Provider,
    path: str,
    operation: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _capture_everything(caplog)
    upstream = EchoingUpstream(error_paths(provider)[path])
    upstreams = connect_upstreams(sentinel_settings(), transport=upstream.transport())
    query, variables = _document(provider, operation)
    async with client_for(upstreams) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {API_SENTINEL}"},
        )
    captured = capsys.readouterr()

    # The case is meaningful: the call was answered (not refused at the door) and the
    # upstream was sent this provider's credential, and only that one.
    assert response.status_code == 200, response.text
    assert response.json()["data"] is not None, response.text
    if operation == "update" or provider not in READ_UNSUPPORTED:
        assert upstream.seen, "the provider was called"
    for sent in upstream.seen:
        assert sent.headers["authorization"] == f"Bearer {PROVIDER_SENTINELS[provider]}"
        others = [s for s in SENTINELS if s != PROVIDER_SENTINELS[provider]]
        sent_values = " ".join(value for _, value in sent.headers.multi_items())
        assert not any(s in sent_values for s in others), "another credential was sent"

    found = all_leaks(
        [
            ("response body", response.text),
            *((f"response header {name}", value) for name, value in response.headers.items()),
            *_formatted(caplog.records),
            ("stdout", captured.out),
            ("stderr", captured.err),
        ]
    )
    assert not found, "a credential leaked:\n" + "\n".join(found)


# --- A real server process, a real upstream that echoes the credential ---

#: How the echo server answers each provider (the first segment of its base URL path).
ANSWERS = {
    Provider.AYRSHARE: "json401",
    Provider.PUFFLE: "json400",
    Provider.HIGHLEVEL: "json403",
    Provider.VCITA: "html500",
    Provider.EBAY: "html502",
}
ALL_UPDATES = (
    "mutation($inputs: [UpdateConversationInput!]!) { updateConversations(inputs: $inputs) "
    "{ __typename ... on UpdateFailed { provider code message providerStatus providerCode } } }"
)
ALL_READS = (
    "query($refs: [ConversationRef!]!) { conversations(refs: $refs) { SELECTION } }".replace(
        "SELECTION", SELECTION
    )
)


def test_a_served_process_never_shows_a_credential(tmp_path: Path) -> None:
    port = free_port()
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    answers: list[httpx.Response] = []
    with stub_server(echo_authorization) as upstream:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "INBOXGRAPH_API_TOKEN": API_SENTINEL,
            "INBOXGRAPH_TIMEOUT_SECONDS": "5",
            "INBOXGRAPH_HIGHLEVEL_FORBIDDEN_RETRY_SECONDS": "0",
            # Every line the server can write, its per-call lines included.
            "INBOXGRAPH_LOG_LEVEL": "debug",
        }
        for provider, token in PROVIDER_SENTINELS.items():
            env[f"INBOXGRAPH_{provider.name}_TOKEN"] = token
            env[f"INBOXGRAPH_{provider.name}_BASE_URL"] = f"{upstream.origin}/{ANSWERS[provider]}"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("inboxgraph")),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                stdout=out,
                stderr=err,
                env=env,
            )
            try:
                origin = f"http://127.0.0.1:{port}"
                wait_until_up(f"{origin}/healthz", process)
                with httpx.Client(base_url=origin, timeout=20.0) as client:
                    caller = {"Authorization": f"Bearer {API_SENTINEL}"}
                    for query, variables in (
                        (ALL_UPDATES, {"inputs": [c.valid_input for c in PROVIDER_CASES.values()]}),
                        (ALL_READS, {"refs": list(REFS.values())}),
                        (ENTITIES, {"r": list(REPRESENTATIONS.values())}),
                    ):
                        answers.append(
                            client.post(
                                "/graphql",
                                json={"query": query, "variables": variables},
                                headers=caller,
                            )
                        )
                    # A caller presenting another token is refused without being told it.
                    answers.append(
                        client.post(
                            "/graphql",
                            json={"query": "{ __typename }"},
                            headers={"Authorization": f"Bearer {API_SENTINEL}x"},
                        )
                    )
                    answers.append(client.get("/healthz"))
                    answers.append(client.get("/readyz"))
                    answers.append(client.get("/metrics"))
            finally:
                process.terminate()
                process.wait(timeout=10)

    # Meaningful: every provider was reached with its own credential and said why it refused.
    assert {f"Bearer {token}" for token in PROVIDER_SENTINELS.values()} <= {
        received.headers.get("authorization", "") for received in upstream.received
    }
    [updated, *_] = answers
    results = updated.json()["data"]["updateConversations"]
    assert {r["provider"]: r["code"] for r in results} == {
        "AYRSHARE": "UNAUTHENTICATED",
        "PUFFLE": "UPSTREAM_ERROR",
        "HIGHLEVEL": "FORBIDDEN",
        "VCITA": "UPSTREAM_UNAVAILABLE",
        "EBAY": "UPSTREAM_UNAVAILABLE",
    }
    # The JSON answers' messages are told, with the credential masked, not dropped.
    masked = {r["provider"] for r in results if MASK in r["message"]}
    assert masked == {"AYRSHARE", "PUFFLE", "HIGHLEVEL"}
    assert answers[3].status_code == 401
    logged = stderr.read_text()
    assert " -> 401" in logged, "the server logged its upstream calls"

    found = all_leaks(
        [
            *((f"answer {n} body", a.text) for n, a in enumerate(answers)),
            *(
                (f"answer {n} header {name}", value)
                for n, a in enumerate(answers)
                for name, value in a.headers.items()
            ),
            ("stdout", stdout.read_text()),
            ("stderr", logged),
        ]
    )
    assert not found, "a credential leaked:\n" + "\n".join(found)


# --- The redaction pieces on their own ---


def test_the_redacting_filter_masks_a_rendered_log_message() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s", ("abc-secret-1",), None)
    RedactingFilter(Redactor(["abc-secret-1"])).filter(record)
    assert record.getMessage() == f"sent {MASK}"


def test_the_redactor_masks_a_secret_containing_another_whole() -> None:
    assert Redactor(["abc", "xabcx"]).redact("a xabcx b abc") == f"a {MASK} b {MASK}"


def test_configure_logging_installs_the_filter_on_every_handler() -> None:
    root, httpx_logger = logging.getLogger(), logging.getLogger("httpx")
    before, httpx_level = list(root.handlers), httpx_logger.level
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        configure_logging(["tok-123-secret"])
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        root.handlers[:] = before
        httpx_logger.setLevel(httpx_level)


def test_the_leak_finder_sees_a_credential_in_a_traceback_or_cut_in_two() -> None:
    token = PROVIDER_SENTINELS[Provider.PUFFLE]
    try:
        raise ValueError(f"refused {token}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert all_leaks(_formatted([record]))
    assert all_leaks([("cut", f"xxx {token[:LEAK_WINDOW]}… (cut)")])
    assert not all_leaks([("other", f"xxx {token[: LEAK_WINDOW - 1]}… {MASK}")])
