"""Bulk jobs: start, read, follow and cancel the caller's own."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from inboxgraph.domain.jobs import BulkJob
from inboxgraph.jobs.service import CANCEL_WAIT_SECONDS
from inboxgraph.request_scope import seconds_left
from inboxgraph.resolvers.context import RequestContext
from inboxgraph.resolvers.idempotency import IdempotencyKey, once, shared_state_error
from inboxgraph.resolvers.mutations import at_most
from inboxgraph.schema.inputs import UpdateConversationInput
from inboxgraph.shared.redis import SharedStateUnavailable


async def start_bulk_update(
    info: Info[RequestContext, None],
    inputs: list[UpdateConversationInput],
    idempotency_key: IdempotencyKey = None,
) -> BulkJob:
    context = info.context
    at_most(
        context.limits.max_job_items,
        "startBulkUpdate",
        "inputs (INBOXGRAPH_MAX_JOB_ITEMS)",
        len(inputs),
    )
    updates = [i.variant().to_update() for i in inputs]

    async def start() -> str:
        return (await context.jobs.start(context.tenant, updates)).id

    try:
        job_id = await once(context, idempotency_key, "startBulkUpdate", updates, start)
        job = await context.jobs.get(context.tenant, job_id)
    except SharedStateUnavailable as error:
        raise shared_state_error(error) from None
    if job is None:
        raise GraphQLError(
            "the job this idempotencyKey started is no longer kept "
            "(INBOXGRAPH_JOB_RETENTION_SECONDS); use a new key to start it again",
            extensions={"code": "NOT_FOUND"},
        )
    return job


async def cancel_bulk_job(info: Info[RequestContext, None], id: strawberry.ID) -> BulkJob | None:
    context = info.context
    left = seconds_left()
    wait = CANCEL_WAIT_SECONDS if left is None else max(0.0, min(CANCEL_WAIT_SECONDS, left - 1))
    try:
        return await context.jobs.cancel(context.tenant, str(id), wait=wait)
    except SharedStateUnavailable as error:
        raise shared_state_error(error) from None


async def bulk_job(info: Info[RequestContext, None], id: strawberry.ID) -> BulkJob | None:
    context = info.context
    try:
        return await context.jobs.get(context.tenant, str(id))
    except SharedStateUnavailable as error:
        raise shared_state_error(error) from None


async def bulk_job_progress(
    info: Info[RequestContext, None], id: strawberry.ID
) -> AsyncGenerator[BulkJob, None]:
    context = info.context
    seen = False
    try:
        async with aclosing(context.jobs.progress(context.tenant, str(id))) as changes:
            async for job in changes:
                seen = True
                yield job
    except SharedStateUnavailable as error:
        raise shared_state_error(error) from None
    if not seen:
        raise GraphQLError("no job has this id", extensions={"code": "NOT_FOUND"})
