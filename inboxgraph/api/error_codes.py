"""Every GraphQL error leaves with an `extensions.code` a client can switch on.

Apollo's names where they exist: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
BAD_USER_INPUT, INTERNAL_SERVER_ERROR; ours for limits (`api.limits`) and for reads
(the provider error codes of `UpdateErrorCode`, or READ_UNSUPPORTED). An unexpected
failure inside a resolver is told as INTERNAL_SERVER_ERROR with the request id,
never with Python's text (the log has the traceback).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, parse
from strawberry.extensions import SchemaExtension

from inboxgraph.api.limits import MAX_TOKENS_EXCEEDED
from inboxgraph.request_scope import current_request_id

GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ErrorCodes(SchemaExtension):
    """Adds a code to every error of the operation's result (keeping one already set)."""

    def __init__(self, max_tokens: int) -> None:
        self._max_tokens = max_tokens
        self._executing = False

    def on_execute(self) -> Iterator[None]:
        self._executing = True
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._coded(error) for error in result.errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        message, code = error.message, self._code(error)
        if code == INTERNAL_SERVER_ERROR:
            message = (
                "inboxgraph failed unexpectedly on this field; "
                f"report request id {current_request_id.get()}"
            )
        return GraphQLError(
            message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            original_error=error.original_error,
            extensions={**(error.extensions or {}), "code": code},
        )

    def _code(self, error: GraphQLError) -> str:
        if isinstance(error, GraphQLSyntaxError) or self.execution_context.graphql_document is None:
            limit_message = (
                f"Syntax Error: Document contains more than {self._max_tokens} tokens."
                " Parsing aborted."
            )
            return MAX_TOKENS_EXCEEDED if error.message == limit_message else GRAPHQL_PARSE_FAILED
        if not self._executing:
            return GRAPHQL_VALIDATION_FAILED
        return BAD_USER_INPUT if is_callers_mistake(error) else INTERNAL_SERVER_ERROR


def is_callers_mistake(error: GraphQLError) -> bool:
    """Variables that do not fit their types (no path), or a refusal raised on purpose (a
    GraphQLError); anything else raised in a resolver is a failure of inboxgraph's own."""
    original = error.original_error
    return error.path is None or original is None or isinstance(original, GraphQLError)


class ParseCache(SchemaExtension):
    """Strawberry's ParserCache, except that a document that does not parse is left to
    Strawberry's own parse, which reports it as the operation's error (so it gets its
    code like every other error) instead of raising out of the extension."""

    def __init__(self, parse: Callable[..., DocumentNode]) -> None:
        self._parse = parse

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError):
            context.graphql_document = self._parse(context.query, **context.parse_options)
        yield


def cached_parser(maxsize: int) -> Callable[..., DocumentNode]:
    """graphql-core's parse behind an LRU cache (failures are not cached)."""
    return lru_cache(maxsize=maxsize)(parse)
