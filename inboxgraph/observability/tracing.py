"""Optional OpenTelemetry tracing (`pip install 'inboxgraph[otel]'`, INBOXGRAPH_TRACING=on).

A server span per HTTP request (continuing the caller's trace when it sends a W3C
`traceparent`), a span per GraphQL operation inside it, and a client span per upstream
HTTP call inside that. Spans go to the tracer provider already configured in the
process (by `opentelemetry-instrument`, say), or else to an SDK provider exporting
over OTLP/HTTP as the standard OTEL_* variables say. Nothing here imports
OpenTelemetry until tracing is started, so the app runs without the extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from opentelemetry.trace import Span, TracerProvider
    from starlette.types import ASGIApp

EXTRA_MISSING = (
    "INBOXGRAPH_TRACING=on needs OpenTelemetry, which is not installed: "
    "pip install 'inboxgraph[otel]'"
)
SERVICE_NAME = "inboxgraph"
#: Polled by machines: no span for these (matched against the URL without its query).
UNTRACED_PATHS = "/healthz$,/readyz$,/metrics$"


class TracingUnavailable(Exception):
    """Tracing was asked for, but the `otel` extra is not installed."""


def tracing_available() -> bool:
    """Whether the `otel` extra is installed."""
    try:
        import opentelemetry.instrumentation.asgi
        import opentelemetry.instrumentation.httpx
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        return False
    return True


class Tracing:
    """Tracing for this process: the spans around requests, operations and upstream calls."""

    def __init__(self, provider: TracerProvider, *, owned: bool) -> None:
        """`owned`: the provider was made here, so `shutdown` flushes and stops it."""
        self.provider = provider
        self._owned = owned
        self._tracer = provider.get_tracer("inboxgraph")

    def traced(self, app: ASGIApp) -> ASGIApp:
        """`app` with a server span per HTTP request, continuing the caller's trace."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        traced: ASGIApp = OpenTelemetryMiddleware(
            app,
            tracer_provider=self.provider,
            excluded_urls=UNTRACED_PATHS,
            exclude_spans=["receive", "send"],
        )
        return traced

    def instrument_http(self, client: httpx.AsyncClient) -> None:
        """A client span per call made with `client` (its mounted transports included)."""
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=self.provider)

    @contextmanager
    def operation(self) -> Iterator[OperationSpan]:
        """A span around one GraphQL operation, current while it runs."""
        with self._tracer.start_as_current_span("graphql.operation") as span:
            yield OperationSpan(span)

    def shutdown(self) -> None:
        if self._owned:
            self.provider.shutdown()  # type: ignore[attr-defined]


class OperationSpan:
    """The span of one operation, named once its name and type are known."""

    def __init__(self, span: Span) -> None:
        self._span = span

    def describe(self, name: str, type_: str, outcome: str) -> None:
        self._span.update_name(f"{type_} {name}")
        self._span.set_attributes(
            {
                "graphql.operation.name": name,
                "graphql.operation.type": type_,
                "inboxgraph.outcome": outcome,
            }
        )


def start_tracing() -> Tracing:
    """Tracing through the process's tracer provider, or a new SDK one exporting over
    OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables), set as the
    process's. TracingUnavailable without the `otel` extra."""
    if not tracing_available():
        raise TracingUnavailable(EXTRA_MISSING)
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    current = trace.get_tracer_provider()
    if not isinstance(current, trace.ProxyTracerProvider):
        return Tracing(current, owned=False)
    named = "OTEL_SERVICE_NAME" in os.environ or "service.name=" in os.environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    )
    provider = SdkTracerProvider(
        resource=Resource.create({} if named else {"service.name": SERVICE_NAME})
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return Tracing(provider, owned=True)


def current_trace_ids() -> tuple[str, str] | None:
    """The current trace and span ids (hex), for log lines; None outside a recorded span."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
