"""Hotline timers: the escalation checker, the weekly report to admins on Monday morning,
the hourly clean-up of stale "which case?" questions, and the daily check that next year's
working calendar is known (from 1 December).

What is due lives in the database (each case's escalate_at); these jobs only wake the code
that looks, so a restart loses nothing: the first check after start-up catches up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from services.container import Services
from services.hotline.calendar_reminder import remind_unknown_year
from storage.models import Role, utcnow

log = logging.getLogger(__name__)

ESCALATION_JOB_ID = "hotline-escalation"
WEEKLY_REPORT_JOB_ID = "hotline-weekly-report"
PICKS_PURGE_JOB_ID = "hotline-pending-picks-purge"
CALENDAR_REMINDER_JOB_ID = "hotline-calendar-reminder"


async def check_escalations(services: Services) -> int:
    """Escalates every case whose claim deadline has passed."""
    moved = await services.hotline.cases.escalate_due()
    if moved:
        log.info("escalated %s hotline cases", moved)
    return moved


async def purge_pending_picks(services: Services, now: datetime | None = None) -> int:
    """Forgets "which case?" questions past their lifetime, picked or not."""
    purged = await services.hotline.relay.purge_picks(now or utcnow())
    if purged:
        log.info("forgot %s stale hotline case picks", purged)
    return purged


async def send_weekly_report(services: Services, now: datetime | None = None) -> int:
    """Sends last week's figures (Monday to Sunday, local) to every admin; returns how many."""
    reports = services.hotline.reports
    local = (now or utcnow()).astimezone(reports.zone)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    first, last = monday - timedelta(days=7), monday
    sent = 0
    kb = await services.kb.figures(first, last)
    for admin in await services.people.list_people(Role.ADMIN):
        totals, categories, experts = await reports.figures(first, last, admin.locale)
        delivery = await services.hotline.cases.messenger.send_rendered(
            admin.telegram_id, "hotline_stats", totals=totals, categories=categories,
            experts=experts, first=first.strftime("%Y-%m-%d"),
            last=(last - timedelta(days=1)).strftime("%Y-%m-%d"), weekly=True, kb=kb)
        sent += delivery.ok
    return sent


def schedule_hotline(scheduler: BaseScheduler, services: Services, check_seconds: int) -> None:
    scheduler.add_job(
        check_escalations, IntervalTrigger(seconds=check_seconds), args=[services],
        id=ESCALATION_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
        next_run_time=utcnow(),  # catch up at once after a restart
    )
    # 09:00 local on Mondays; a bot that was down then still sends it within the day.
    scheduler.add_job(
        send_weekly_report, CronTrigger(day_of_week="mon", hour=9, minute=0,
                                        timezone=services.timezone),
        args=[services], id=WEEKLY_REPORT_JOB_ID, replace_existing=True,
        misfire_grace_time=12 * 3600, coalesce=True,
    )
    # Stale picks are refused anyway (their age is checked); this only keeps the table small.
    scheduler.add_job(
        purge_pending_picks, IntervalTrigger(hours=1), args=[services],
        id=PICKS_PURGE_JOB_ID, replace_existing=True, coalesce=True,
    )
    schedule_calendar_reminder(scheduler, services)


async def remind_calendar(services: Services, now: datetime | None = None) -> int | None:
    """Reminds the staff group, once a year, when next year's working calendar is unknown."""
    hotline = services.hotline
    today = (now or utcnow()).astimezone(hotline.roster.zone).date()
    return await remind_unknown_year(hotline.calendar, hotline.cases.messenger,
                                     hotline.cases.staff_chat_id, today)


def schedule_calendar_reminder(scheduler: BaseScheduler, services: Services) -> None:
    # Daily at 10:00 local, working hours in the staff group; a bot that was down then still
    # checks within the day. What was sent is in the database, so repeats send nothing.
    scheduler.add_job(
        remind_calendar, CronTrigger(hour=10, minute=0, timezone=services.timezone),
        args=[services], id=CALENDAR_REMINDER_JOB_ID, replace_existing=True,
        misfire_grace_time=10 * 3600, coalesce=True,
    )
