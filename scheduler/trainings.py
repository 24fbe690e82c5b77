"""Wakes the reminder dispatcher; what is due lives in the database, not in the scheduler."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.trainings.reminders import ReminderDispatcher
from services.trainings.service import TrainingService

REMINDER_JOB_ID = "training-reminders"
# Reminders are "1 hour before" at the finest: half a minute early or late is unnoticeable.
WAKE_EVERY_SECONDS = 30


def send_notices_soon(scheduler: BaseScheduler, dispatcher: ReminderDispatcher) -> None:
    """Sends the notices a change just stored, off the caller's path (each job its own id,
    so a request made while an earlier one is still sending is not skipped; the dispatcher
    runs them one at a time). What a crash leaves pending goes out on the next wake-up."""
    scheduler.add_job(dispatcher.send_notices, misfire_grace_time=None)


async def schedule_training_reminders(scheduler: BaseScheduler, trainings: TrainingService,
                                      dispatcher: ReminderDispatcher) -> None:
    # The offsets and the exam date are settings: re-plan the open courses' rows at start, so
    # a changed setting applies to existing registrations (rows already due are kept).
    await trainings.replan_open_courses()
    # First run at once: what fell due while the bot was down goes out on start-up (or is
    # dropped if its session began). One run at a time; a late wake-up simply runs once.
    scheduler.add_job(
        dispatcher.dispatch_due,
        IntervalTrigger(seconds=WAKE_EVERY_SECONDS),
        id=REMINDER_JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now().astimezone(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
