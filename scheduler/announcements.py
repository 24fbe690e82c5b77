"""Scheduled announcements: the outbox rows wait in the database; a job wakes the sender."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from services.container import Services
from services.delivery.engine import DeliveryEngine


def wake_job_id(announcement_id: int) -> str:
    return f"announcement-{announcement_id}"


def schedule_wakeup(scheduler: BaseScheduler, engine: DeliveryEngine, announcement_id: int,
                    when: datetime) -> None:
    # Late by minutes after a restart is still worth sending: the rows are due whatever
    # happens, and the sender's own polling would find them anyway.
    scheduler.add_job(engine.wake, DateTrigger(run_date=when),
                      id=wake_job_id(announcement_id), replace_existing=True,
                      misfire_grace_time=None)


async def schedule_announcements(scheduler: BaseScheduler, services: Services) -> None:
    """At start-up: one wake-up per scheduled announcement still to come."""
    for announcement_id, when in await services.announcements.scheduled_times():
        schedule_wakeup(scheduler, services.delivery, announcement_id, when)
