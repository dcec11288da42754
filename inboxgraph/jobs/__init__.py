"""Bulk jobs: many updates queued at once, sent in the background, read while they run.

Without Redis a job runs in the process that started it (`MemoryJobStore`, an asyncio
task); with Redis it is kept there (`RedisJobStore`) and run by `inboxgraph worker`
processes. Either way `JobRunner` sends its items through the same validation, batches,
pacing and provider clients as `updateConversations`, recording each item as it goes:
PENDING, then SENDING (claimed, maybe on its way), then SUCCEEDED, FAILED or CANCELLED.
Nothing here needs GraphQL.
"""
