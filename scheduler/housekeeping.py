"""Daily upkeep: enforce the conversation-log retention period."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from services.container import Services

log = logging.getLogger(__name__)

RETENTION_JOB_ID = "conversation-log-retention"


async def enforce_retention(services: Services) -> int:
    """Deletes conversation-log entries older than the retention period."""
    return await services.conversation_log.purge_expired(services.retention_days)


def schedule_housekeeping(scheduler: BaseScheduler, services: Services) -> None:
    # 03:30 local: the quietest hour for the bureau; misfires within 6 h still run after a
    # restart, and coalescing means a bot that was down for days purges once, not once a day.
    scheduler.add_job(
        enforce_retention,
        CronTrigger(hour=3, minute=30, timezone=services.timezone),
        args=[services],
        id=RETENTION_JOB_ID,
        replace_existing=True,
        misfire_grace_time=6 * 3600,
        coalesce=True,
    )
