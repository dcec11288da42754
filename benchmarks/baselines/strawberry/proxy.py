"""A minimal Strawberry + httpx proxy of inboxgraph's Puffle update: the Python baseline of
benchmarks/http.py.

The same mutation document is answered with the same result shape after the same one
upstream call (`PATCH /api/conversations/{id}` with `{status, unread_count}`), through
one shared `httpx.AsyncClient`, served by uvicorn with the options inboxgraph passes it
(no access log), with Strawberry's parser and validation caches on, as its documentation
suggests. None of inboxgraph's checks, limits, metrics or logs: what a team writing the
proxy by hand would start from.

    python benchmarks/baselines/strawberry/proxy.py --port 8100 \
        --upstream http://127.0.0.1:8200 --token sandbox-puffle-token
"""

from __future__ import annotations

import argparse
import enum

import httpx
import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

#: The one HTTP client every request shares (made in `main`, with the upstream's address).
client: httpx.AsyncClient


@strawberry.enum
class Provider(enum.Enum):
    PUFFLE = "PUFFLE"


@strawberry.enum
class PuffleConversationStatus(enum.Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@strawberry.enum
class UpdateErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"


@strawberry.type
class PuffleConversation:
    id: strawberry.ID
    status: PuffleConversationStatus
    unread_count: int
    channel: str
    participant_name: str | None
    updated_at: str


@strawberry.type
class ConversationUpdated:
    provider: Provider
    conversation: PuffleConversation


@strawberry.type
class UpdateFailed:
    provider: Provider
    code: UpdateErrorCode
    message: str
    field: str | None = None
    provider_status: int | None = None
    provider_code: str | None = None
    retryable: bool = False


@strawberry.input
class PuffleConversationUpdate:
    id: strawberry.ID
    status: PuffleConversationStatus | None = None
    unread_count: int | None = None


@strawberry.input
class UpdateConversationInput:
    puffle: PuffleConversationUpdate


async def update_conversation(
    input: UpdateConversationInput,
) -> ConversationUpdated | UpdateFailed:
    update = input.puffle
    body: dict[str, object] = {}
    if update.status is not None:
        body["status"] = update.status.value
    if update.unread_count is not None:
        body["unread_count"] = update.unread_count
    try:
        response = await client.patch(f"/api/conversations/{update.id}", json=body)
    except httpx.HTTPError as error:
        return UpdateFailed(
            provider=Provider.PUFFLE,
            code=UpdateErrorCode.UPSTREAM_UNAVAILABLE,
            message=type(error).__name__,
            retryable=True,
        )
    if response.status_code != 200:
        return UpdateFailed(
            provider=Provider.PUFFLE,
            code=UpdateErrorCode.NOT_FOUND
            if response.status_code == 404
            else UpdateErrorCode.UPSTREAM_ERROR,
            message=response.text[:500],
            provider_status=response.status_code,
            retryable=response.status_code >= 500,
        )
    record = response.json()["conversation"]
    return ConversationUpdated(
        provider=Provider.PUFFLE,
        conversation=PuffleConversation(
            id=strawberry.ID(record["id"]),
            status=PuffleConversationStatus(record["status"]),
            unread_count=record["unread_count"],
            channel=record["channel"],
            participant_name=record.get("participant_name"),
            updated_at=record["updated_at"],
        ),
    )


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    update_conversation = strawberry.mutation(resolver=update_conversation)


def main() -> None:
    global client
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="Puffle's base URL")
    parser.add_argument("--token", required=True, help="Puffle bearer token")
    args = parser.parse_args()
    client = httpx.AsyncClient(
        base_url=args.upstream, headers={"Authorization": f"Bearer {args.token}"}
    )
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    )
    app = GraphQL(schema)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
