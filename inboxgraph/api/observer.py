"""Every GraphQL operation counted and timed, by name, type and outcome; noted for the
request's log line; and wrapped in a span when tracing is on.

Outcomes: `ok` (no error), `errors` (ran, with errors in the result: an update's
UpdateFailed is data, not an error) and `refused` (not run: a document that does not
parse or validate, a limit, variables that do not fit, a mutation over GET).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import nullcontext
from typing import TYPE_CHECKING

from graphql import OperationDefinitionNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from inboxgraph.observability import metrics
from inboxgraph.observability.logs import note_operation
from inboxgraph.observability.metrics import OperationNames

if TYPE_CHECKING:
    from inboxgraph.observability.tracing import OperationSpan, Tracing

#: Names of operations that have none, or that could not be told.
ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
#: The longest operation name written to a log line or a span.
MAX_NAME_CHARS = 200


class OperationObserver(SchemaExtension):
    """Metrics, the log line's operation name and a span for each operation."""

    def __init__(self, names: OperationNames, tracing: Tracing | None = None) -> None:
        """`names` bounds the operation names used as metric labels (share one across
        requests)."""
        self._names = names
        self._tracing = tracing

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        span_scope = self._tracing.operation() if self._tracing is not None else nullcontext()
        with span_scope as span:
            try:
                yield
            finally:
                self._observe(time.perf_counter() - started, span)

    def _observe(self, seconds: float, span: OperationSpan | None) -> None:
        name, type_ = self._operation()
        outcome = self._outcome()
        tenant = getattr(self.execution_context.context, "tenant", UNKNOWN)
        metrics.operation(self._names.label(name), type_, outcome, tenant, seconds)
        note_operation(name)
        if span is not None:
            span.describe(name, type_, outcome)

    def _operation(self) -> tuple[str, str]:
        """The operation's name and type, as far as the document tells them."""
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return UNKNOWN, UNKNOWN
        operation = get_operation_ast(document, context.operation_name)
        if not isinstance(operation, OperationDefinitionNode):
            return UNKNOWN, UNKNOWN
        name = operation.name.value[:MAX_NAME_CHARS] if operation.name else ANONYMOUS
        return name, operation.operation.value

    def _outcome(self) -> str:
        result = self.execution_context.result
        if result is None:
            return "refused"
        if not result.errors:
            return "ok"
        if result.data is None and all(error.path is None for error in result.errors):
            return "refused"
        return "errors"
