"""Prometheus metrics, and the one `/metrics` answer.

Every label has a bounded set of values: providers, HTTP methods and statuses, error
codes, operation types, configured tenants, a fixed set of routes, and at most
`MAX_OPERATION_NAMES` operation names per schema, so per process (later names count as
`other`). There are no gauges, so nothing needs marking dead when a worker process
exits, and no `_created` series (multiprocess mode has none either).

With several worker processes, prometheus-client's multiprocess mode keeps each
process's values in files under `PROMETHEUS_MULTIPROC_DIR`, and `/metrics` sums them.
The variable must be set before prometheus-client is first imported in each process,
and the directory must start empty: `observability.multiprocess` does both for the
process that starts the workers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from inboxgraph.observability.multiprocess import MULTIPROCESS_DIR_VARIABLE

#: Distinct operation names counted per schema; later ones are counted as `other`.
MAX_OPERATION_NAMES = 100
#: A longer operation name is counted as `other`.
MAX_OPERATION_NAME_CHARS = 100
OTHER = "other"
#: HTTP routes with a label of their own; every other path is `other`.
ROUTES = frozenset({"/", "/graphql", "/healthz", "/readyz", "/metrics"})
STATIC_ROUTE = "static"

#: Seconds, from a fast in-process answer to the longest request deadline.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100)

disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_REQUESTS = Counter(
    "inboxgraph_http_requests",
    "HTTP requests answered, by route and status.",
    ["route", "status"],
)
HTTP_DURATION = Histogram(
    "inboxgraph_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
OPERATIONS = Counter(
    "inboxgraph_graphql_operations",
    "GraphQL operations, by name, type, outcome (ok, errors, refused) and tenant.",
    ["operation", "type", "outcome", "tenant"],
)
OPERATION_DURATION = Histogram(
    "inboxgraph_graphql_operation_duration_seconds",
    "Time to run a GraphQL operation (parse, validate, execute), by name and type.",
    ["operation", "type"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_REQUESTS = Counter(
    "inboxgraph_upstream_requests",
    "Calls to a provider, by provider, tenant, method, HTTP status (none: no answer) and "
    "outcome code (OK, or the error code the call ended with).",
    ["provider", "tenant", "method", "status", "code"],
)
UPSTREAM_DURATION = Histogram(
    "inboxgraph_upstream_request_duration_seconds",
    "Time from sending a call to a provider to its whole answer, by provider and method.",
    ["provider", "method"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_RETRIES = Counter(
    "inboxgraph_upstream_retries",
    "Updates sent again after a failure the provider's adapter deems worth retrying, by "
    "provider, tenant and the code of the failure retried.",
    ["provider", "tenant", "code"],
)
RATE_LIMIT_WAITS = Histogram(
    "inboxgraph_rate_limit_wait_seconds",
    "Waits for a rate-limit slot before sending (the request was then sent), by provider "
    "and tenant.",
    ["provider", "tenant"],
    buckets=WAIT_BUCKETS,
)
RATE_LIMIT_REFUSALS = Counter(
    "inboxgraph_rate_limit_refusals",
    "Requests answered RATE_LIMITED without being sent (the budget or a provider-asked "
    "wait would outlast the patience), by provider and tenant.",
    ["provider", "tenant"],
)
LOADER_BATCH_SIZE = Histogram(
    "inboxgraph_loader_batch_size",
    "Items in one dataloader batch, by provider and kind (update, read).",
    ["provider", "kind"],
    buckets=BATCH_BUCKETS,
)


# A labelled child is looked up once per distinct label values, then kept (every label is
# bounded, so these caches are too): `labels()` on each call would double the cost.
@cache
def _counter(metric: Counter, *values: str) -> Counter:
    return metric.labels(*values)


@cache
def _histogram(metric: Histogram, *values: str) -> Histogram:
    return metric.labels(*values)


class UpstreamMetrics:
    """The metrics of one provider account (a provider for a tenant)."""

    def __init__(self, provider: str, tenant: str) -> None:
        self._provider = provider
        self._tenant = tenant
        self._refusals = RATE_LIMIT_REFUSALS.labels(provider, tenant)
        self._waits = RATE_LIMIT_WAITS.labels(provider, tenant)
        self._calls: dict[tuple[str, int | None, str], tuple[Counter, Histogram]] = {}

    def call(self, method: str, status: int | None, code: str, seconds: float) -> None:
        """One call to the provider ended: answered with `status` (None: no answer)."""
        children = self._calls.get((method, status, code))
        if children is None:
            children = self._calls[method, status, code] = (
                UPSTREAM_REQUESTS.labels(
                    self._provider,
                    self._tenant,
                    method,
                    "none" if status is None else str(status),
                    code,
                ),
                _histogram(UPSTREAM_DURATION, self._provider, method),
            )
        children[0].inc()
        children[1].observe(seconds)

    def retry(self, code: str) -> None:
        _counter(UPSTREAM_RETRIES, self._provider, self._tenant, code).inc()

    def paced_wait(self, seconds: float) -> None:
        self._waits.observe(seconds)

    def paced_refusal(self) -> None:
        self._refusals.inc()


def loader_batch(provider: str, kind: str, size: int) -> None:
    _histogram(LOADER_BATCH_SIZE, provider, kind).observe(size)


class OperationNames:
    """Bounds the operation names used as label values: the first `limit` distinct ones
    are kept, later ones (and overlong ones) become `other`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def label(self, name: str) -> str:
        if name in self._seen:
            return name
        if len(name) > MAX_OPERATION_NAME_CHARS:
            return OTHER
        if len(self._seen) >= self._limit:
            return OTHER
        self._seen.add(name)
        return name


def operation(name: str, type_: str, outcome: str, tenant: str, seconds: float) -> None:
    """One GraphQL operation ran (or was refused) in `seconds`; `name` is a label from
    `OperationNames`."""
    _counter(OPERATIONS, name, type_, outcome, tenant).inc()
    _histogram(OPERATION_DURATION, name, type_).observe(seconds)


def http_request(path: str, status: int, seconds: float, static_prefix: str) -> None:
    """One HTTP request answered with `status` in `seconds`."""
    if path in ROUTES:
        route = path
    elif path.startswith(static_prefix):
        route = STATIC_ROUTE
    else:
        route = OTHER
    _counter(HTTP_REQUESTS, route, str(status)).inc()
    _histogram(HTTP_DURATION, route).observe(seconds)


def metrics_registry(environ: Mapping[str, str] | None = None) -> CollectorRegistry:
    """What `/metrics` answers: every worker's values summed when PROMETHEUS_MULTIPROC_DIR
    is set, else this process's registry (with its process and runtime metrics)."""
    directory = (os.environ if environ is None else environ).get(MULTIPROCESS_DIR_VARIABLE)
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry


def exposition(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The registry's samples in the format the scraper accepts, and its content type."""
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type
