"""Hotline timers: the escalation checker, the weekly report to admins on Monday morning, and
the hourly clean-up of stale "which case?" questions.

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
from storage.models import Role, utcnow

log = logging.getLogger(__name__)

ESCALATION_JOB_ID = "hotline-escalation"
WEEKLY_REPORT_JOB_ID = "hotline-weekly-report"
PICKS_PURGE_JOB_ID = "hotline-pending-picks-purge"
WAITING_ALERTS_JOB_ID = "hotline-waiting-alerts"


async def check_escalations(services: Services) -> int:
    """Escalates every case whose claim deadline has passed."""
    moved = await services.hotline.cases.escalate_due()
    if moved:
        log.info("escalated %s hotline cases", moved)
    return moved


async def announce_waiting(services: Services, now: datetime | None = None) -> int:
    """Tells staff, once, of cases past the claim timeout or with an unanswered message."""
    sent = await services.ops.alerts.announce_due(now)
    if sent:
        log.info("sent %s hotline waiting alerts to staff", sent)
    return sent


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
    for admin in await services.people.list_people(Role.ADMIN):
        totals, categories, experts = await reports.figures(first, last, admin.locale)
        delivery = await services.hotline.cases.messenger.send_rendered(
            admin.telegram_id, "hotline_stats", totals=totals, categories=categories,
            experts=experts, first=first.strftime("%Y-%m-%d"),
            last=(last - timedelta(days=1)).strftime("%Y-%m-%d"), weekly=True)
        sent += delivery.ok
    return sent


def schedule_hotline(scheduler: BaseScheduler, services: Services, check_seconds: int) -> None:
    scheduler.add_job(
        check_escalations, IntervalTrigger(seconds=check_seconds), args=[services],
        id=ESCALATION_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
        next_run_time=utcnow(),  # catch up at once after a restart
    )
    scheduler.add_job(
        announce_waiting, IntervalTrigger(seconds=check_seconds), args=[services],
        id=WAITING_ALERTS_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
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
