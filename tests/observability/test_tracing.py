"""Tracing (INBOXGRAPH_TRACING=on): a caller's W3C trace is continued through the
server span, the operation's span and a client span per upstream call; without the
`otel` extra the app still runs, and asking for tracing then is a clear refusal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from inboxgraph.config import load_settings
from inboxgraph.upstreams import connect_upstreams
from tests.served import Received, serve_process, stub_server
from tests.support import UPDATE_MANY, client_for, record_upstream

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"
INPUTS = [
    {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "status": "ARCHIVED"}},
    {"ebay": {"conversationId": "1000000000001", "conversationType": "FROM_MEMBERS", "read": True}},
]


@pytest.fixture(scope="module")
def process_spans() -> Iterator[InMemorySpanExporter]:
    """This process's tracer provider, as `opentelemetry-instrument` would have set it up
    (it can be set once per process), keeping finished spans in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    assert trace.get_tracer_provider() is provider, "another test set a tracer provider first"
    yield exporter
    provider.shutdown()


@pytest.fixture
def spans(process_spans: InMemorySpanExporter) -> InMemorySpanExporter:
    process_spans.clear()
    return process_spans


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_a_callers_trace_is_continued_down_to_every_upstream_call(
    spans: InMemorySpanExporter,
) -> None:
    upstreams = connect_upstreams(load_settings({"INBOXGRAPH_TRACING": "on"}))
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        response = await client.post(
            "/graphql",
            json={"query": UPDATE_MANY, "variables": {"inputs": INPUTS}},
            headers={"traceparent": TRACEPARENT},
        )
    assert [r["__typename"] for r in response.json()["data"]["updateConversations"]] == [
        "ConversationUpdated"
    ] * 2
    finished = spans.get_finished_spans()
    assert {format(s.context.trace_id, "032x") for s in finished} == {TRACE_ID}

    [server] = [s for s in finished if s.kind is SpanKind.SERVER]
    assert server.name == "POST /graphql"
    assert parent_id(server) == int(CALLER_SPAN_ID, 16)

    [operation] = [s for s in finished if s.name == "mutation UpdateMany"]
    assert parent_id(operation) == server.context.span_id
    assert operation.attributes == {
        "graphql.operation.name": "UpdateMany",
        "graphql.operation.type": "mutation",
        "inboxgraph.outcome": "ok",
    }

    calls = [s for s in finished if s.kind is SpanKind.CLIENT]
    # Puffle's update; eBay's update, then the read that completes its answer.
    assert len(sent) == 3
    assert len(calls) == len(sent)
    assert all(parent_id(call) == operation.context.span_id for call in calls)
    assert sorted(call.name for call in calls) == ["GET", "PATCH", "POST"]
    # The trace goes on upstream: each call carries it in its own traceparent.
    assert all(request.headers["traceparent"].split("-")[1] == TRACE_ID for request in sent)


async def test_probes_and_scrapes_make_no_span(spans: InMemorySpanExporter) -> None:
    upstreams = connect_upstreams(load_settings({"INBOXGRAPH_TRACING": "on"}))
    async with client_for(upstreams) as client:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200
    assert spans.get_finished_spans() == ()


async def test_tracing_is_off_by_default(spans: InMemorySpanExporter) -> None:
    upstreams = connect_upstreams(load_settings({}))
    sent = record_upstream(upstreams)
    async with client_for(upstreams) as client:
        await client.post(
            "/graphql",
            json={"query": UPDATE_MANY, "variables": {"inputs": INPUTS}},
            headers={"traceparent": TRACEPARENT},
        )
    assert spans.get_finished_spans() == ()
    assert sent and all("traceparent" not in request.headers for request in sent)


#: Runs the app with OpenTelemetry impossible to import, as without the `otel` extra.
WITHOUT_OTEL = """
import asyncio, json, os, sys

class NoOpenTelemetry:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoOpenTelemetry())

from inboxgraph.cli import main
from tests.support import app_client, update_one

async def served() -> str:
    async with app_client() as client:
        result = await update_one(
            client, {"puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "unreadCount": 0}}
        )
        return result["__typename"]

typename = asyncio.run(served())
os.environ["INBOXGRAPH_TRACING"] = "on"
status = main(["serve", "--port", "1"])
print(json.dumps({
    "typename": typename,
    "status": status,
    "imported": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
}))
"""


def test_without_the_extra_the_app_runs_and_tracing_is_refused_clearly() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", WITHOUT_OTEL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == {
        "typename": "ConversationUpdated",
        "status": 2,
        "imported": [],
    }
    assert "pip install 'inboxgraph[otel]'" in finished.stderr


def otlp_collector(request: Received) -> tuple[int, str, bytes]:
    """Accepts OTLP/HTTP exports (an empty ExportTraceServiceResponse)."""
    return 200, "application/x-protobuf", b""


def test_a_served_process_exports_its_spans_over_otlp(tmp_path: Path) -> None:
    """The production path: no provider configured in the process, so spans go over
    OTLP/HTTP where OTEL_EXPORTER_OTLP_ENDPOINT says, flushed at shutdown."""
    with stub_server(otlp_collector) as collector:
        env = {"INBOXGRAPH_TRACING": "on", "OTEL_EXPORTER_OTLP_ENDPOINT": collector.origin}
        with serve_process(env, tmp_path / "stderr") as (origin, process):
            answer = httpx.post(
                f"{origin}/graphql",
                json={"query": UPDATE_MANY, "variables": {"inputs": INPUTS}},
                headers={"traceparent": TRACEPARENT},
                timeout=20,
            )
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
    assert "errors" not in answer.json()
    exports = [r for r in collector.received if r.path == "/v1/traces"]
    assert exports and {r.headers["content-type"] for r in exports} == {"application/x-protobuf"}
    spans = []
    for export in exports:
        for resource_spans in ExportTraceServiceRequest.FromString(export.body).resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert resource["service.name"] == "inboxgraph"
            spans += [span for scope in resource_spans.scope_spans for span in scope.spans]
    assert {span.trace_id.hex() for span in spans} == {TRACE_ID}
    assert {"POST /graphql", "mutation UpdateMany", "PATCH", "POST", "GET"} <= {
        span.name for span in spans
    }
    # The request's log line names the trace, to go from a log line to its trace.
    lines = [json.loads(line) for line in (tmp_path / "stderr").read_text().splitlines()]
    [request] = [line for line in lines if line["logger"] == "inboxgraph.requests"]
    assert request["trace_id"] == TRACE_ID
