"""Bulk jobs' GraphQL types: views of the domain's job records."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.domain import jobs
from inboxgraph.schema.enums import graphql_enum
from inboxgraph.schema.records import RecordView
from inboxgraph.schema.results import UpdateConversationResult

#: The most results one `results` field returns.
MAX_RESULTS = 1000

BulkJobState = jobs.BulkJobState
graphql_enum(
    BulkJobState,
    description="Where a bulk job stands.",
    values={
        "QUEUED": "Waiting to run.",
        "RUNNING": "Sending its items.",
        "FINISHED": "Every item has its result.",
        "CANCELLED": (
            "Cancelled: every item has its result, those not sent before the cancellation "
            "UpdateFailed with code CANCELLED."
        ),
    },
)


@strawberry.type
class BulkJobItem(RecordView):
    record = jobs.BulkJobItem

    index: int = strawberry.field(description="Position of the item in startBulkUpdate's inputs.")
    result: UpdateConversationResult


class ReadsJobResults(Protocol):
    """What a job's `results` need from the request context: the caller's job results."""

    async def job_results(self, job_id: str, offset: int, limit: int) -> list[jobs.BulkJobItem]: ...


async def _results(
    root: strawberry.Parent[jobs.BulkJob],
    info: Info[ReadsJobResults, None],
    offset: int = 0,
    limit: int = 100,
) -> list[jobs.BulkJobItem]:
    if offset < 0 or not 0 <= limit <= MAX_RESULTS:
        raise GraphQLError(
            f"results takes an offset of at least 0 and a limit in 0..{MAX_RESULTS}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return await info.context.job_results(root.id, offset, limit)


@strawberry.type(
    description=(
        "Many updates queued together (startBulkUpdate), sent in the background in batches "
        "like updateConversations'."
    )
)
class BulkJob(RecordView):
    record = jobs.BulkJob

    id: strawberry.ID
    state: BulkJobState
    total: int = strawberry.field(description="Items in the job.")
    done: int = strawberry.field(description="Items with a result so far (succeeded + failed).")
    succeeded: int
    failed: int
    created_at: datetime
    finished_at: datetime | None
    results = strawberry.field(
        resolver=_results,
        graphql_type=list[BulkJobItem],
        description=(
            "Results in input order, for items offset..offset+limit-1 that have one; an item "
            f"without a result yet is absent. At most {MAX_RESULTS} at a time."
        ),
    )
