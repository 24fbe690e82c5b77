"""Upkeep: enforce the conversation-log retention period (daily); delete used or expired
console sign-in links and ended console sessions, and handled updates from the inbox
(hourly). All are periodic jobs (scheduler/periodic.py): run once per period by one process,
a missed one run on start-up."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from services.container import Services
from services.periodic import PeriodicJob, Schedule
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


async def purge_handled_updates(inbox: UpdateInbox) -> int:
    """Deletes inbox rows handled more than a day ago."""
    return await inbox.purge_processed(INBOX_KEEP_HANDLED)


def housekeeping_jobs(services: Services, inbox: UpdateInbox) -> list[PeriodicJob]:
    async def retention(_due: datetime) -> str:
        return f"deleted {await enforce_retention(services)} log entries"

    async def console_purge(_due: datetime) -> str:
        return f"purged {await purge_console_sign_ins(services)}"

    async def inbox_purge(_due: datetime) -> str:
        return f"purged {await purge_handled_updates(inbox)} handled updates"

    return [
        # 03:30 local, the quietest hour for the bureau. Missed (the bot was down for days):
        # run once at start-up, whatever the delay; deleting late is still deleting.
        PeriodicJob(RETENTION_JOB_ID, Schedule("day", time(3, 30)), retention),
        # Expired rows are refused anyway; this only keeps the tables small.
        PeriodicJob(CONSOLE_PURGE_JOB_ID, Schedule("hour", time(0, 0)), console_purge),
        PeriodicJob(INBOX_PURGE_JOB_ID, Schedule("hour", time(0, 10)), inbox_purge),
    ]
