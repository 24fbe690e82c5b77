"""Upkeep: enforce the conversation-log retention period (daily); delete used or expired
console sign-in links and ended console sessions, and handled updates from the inbox
(hourly)."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from services.container import Services
from services.update_inbox import UpdateInbox

log = logging.getLogger(__name__)

RETENTION_JOB_ID = "conversation-log-retention"
CONSOLE_PURGE_JOB_ID = "console-sign-in-purge"
INBOX_PURGE_JOB_ID = "update-inbox-purge"
# Handled updates are kept a day: long enough to recognise any redelivery of them.
INBOX_KEEP_HANDLED = timedelta(days=1)


async def enforce_retention(services: Services) -> int:
    """Deletes conversation-log entries older than the retention period."""
    return await services.conversation_log.purge_expired(services.retention_days)


async def purge_console_sign_ins(services: Services) -> int:
    """Deletes console links that were used or ran out, and sessions past their limits."""
    purged = await services.console.purge_expired()
    if purged:
        log.info("console: purged %d used or expired links and sessions", purged)
    return purged


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
    # Hourly: expired rows are refused anyway; this only keeps the tables small.
    scheduler.add_job(
        purge_console_sign_ins,
        IntervalTrigger(hours=1),
        args=[services],
        id=CONSOLE_PURGE_JOB_ID,
        replace_existing=True,
        coalesce=True,
    )


async def purge_handled_updates(inbox: UpdateInbox) -> int:
    """Deletes inbox rows handled more than a day ago."""
    return await inbox.purge_processed(INBOX_KEEP_HANDLED)


def schedule_inbox_purge(scheduler: BaseScheduler, inbox: UpdateInbox) -> None:
    scheduler.add_job(
        purge_handled_updates,
        IntervalTrigger(hours=1),
        args=[inbox],
        id=INBOX_PURGE_JOB_ID,
        replace_existing=True,
        coalesce=True,
    )
