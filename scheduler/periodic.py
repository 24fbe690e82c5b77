"""Wakes the periodic jobs (services/periodic.py): the weekly report, retention, purges.

APScheduler only wakes them; which period ran lives in `scheduled_runs`, so a restart or a
second bot process neither skips nor repeats one. The first wake-up is at start, which
catches up on what was missed while the bot was down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.hotline import hotline_jobs
from scheduler.housekeeping import housekeeping_jobs
from services.container import Services
from services.periodic import PeriodicJobs
from services.update_inbox import UpdateInbox
from storage.models import utcnow
from storage.repositories.scheduled_runs import ScheduledRunRepository

PERIODIC_JOB_ID = "periodic-jobs"
# A job runs at most this late after its due time (the report at 09:00:30 at the latest).
WAKE_EVERY_SECONDS = 30


def build_periodic_jobs(services: Services, inbox: UpdateInbox,
                        clock: Callable[[], datetime] = utcnow) -> PeriodicJobs:
    return PeriodicJobs(ScheduledRunRepository(services.database), services.timezone,
                        hotline_jobs(services) + housekeeping_jobs(services, inbox),
                        clock=clock)


async def start_periodic_jobs(scheduler: BaseScheduler, jobs: PeriodicJobs) -> None:
    """Catches up first (before the bot takes updates), then wakes the jobs regularly."""
    await jobs.run_due()
    scheduler.add_job(
        jobs.run_due, IntervalTrigger(seconds=WAKE_EVERY_SECONDS), id=PERIODIC_JOB_ID,
        replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=None,
    )
