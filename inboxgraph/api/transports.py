"""Each kind of operation has its transport: subscriptions a websocket (graphql-transport-ws
at /graphql), queries and mutations HTTP, where each request has its own deadline, body
limit and dataloaders. An operation on the other one is refused before it runs."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"
OPERATION_OVER_WEBSOCKET = "OPERATION_OVER_WEBSOCKET"


class OperationTransports(SchemaExtension):
    """Refuses a subscription sent over HTTP, and a query or mutation over a websocket."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        over_websocket = isinstance(getattr(context.context, "request", None), WebSocket)
        subscription = context.operation_type is OperationType.SUBSCRIPTION
        if context.result is None and subscription != over_websocket:
            message, code = (
                (
                    "queries and mutations run over HTTP (POST /graphql); the websocket "
                    "runs subscriptions",
                    OPERATION_OVER_WEBSOCKET,
                )
                if over_websocket
                else (
                    "subscriptions run over a websocket: connect to /graphql with the "
                    "graphql-transport-ws protocol",
                    SUBSCRIPTION_OVER_HTTP,
                )
            )
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": code})]
            )
        yield
