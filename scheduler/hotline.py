"""Hotline timers: the escalation checker, the weekly report to admins on Monday morning,
the hourly clean-up of stale "which case?" questions, the daily check that next year's
working calendar is known (from 1 December), the daily coverage-gap check of the roster, and
the roster's duty check (untaken swap offers withdrawn at their shift's start).

Escalations: what is due lives in the database (each case's escalate_at, moved by a
conditional UPDATE); the checker only wakes the code that looks, so a restart loses nothing
and two processes never escalate a case twice. The report and the clean-up are periodic
jobs (scheduler/periodic.py): their runs are kept in the database.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.container import Services
from services.hotline.calendar_reminder import remind_unknown_year
from services.periodic import PeriodicJob, Schedule
from storage.models import Role, utcnow

log = logging.getLogger(__name__)

ESCALATION_JOB_ID = "hotline-escalation"
WEEKLY_REPORT_JOB_ID = "hotline-weekly-report"
PICKS_PURGE_JOB_ID = "hotline-pending-picks-purge"
CALENDAR_REMINDER_JOB_ID = "hotline-calendar-reminder"
WAITING_ALERTS_JOB_ID = "hotline-waiting-alerts"
COVERAGE_GAPS_JOB_ID = "roster-coverage-gaps"
ROSTER_DUTY_JOB_ID = "roster-duty"
OWED_NOTICES_JOB_ID = "hotline-owed-notices"
# A report that missed 09:00 (the bot was down) still goes out later that Monday, until
# midnight; on Tuesday last week's figures are old news and the next report is six days off.
WEEKLY_REPORT_LATE_LIMIT = timedelta(hours=15)


async def check_escalations(services: Services) -> int:
    """Escalates every case whose claim deadline has passed."""
    moved = await services.hotline.cases.escalate_due()
    if moved:
        log.info("escalated %s hotline cases", moved)
    return moved


async def send_owed_case_notices(services: Services, now: datetime | None = None) -> int:
    """Sends what a failed send or a killed process left owed: the askers' closed cards and
    the rating notices to experts and staff. Returns how many were completed."""
    cards = await services.hotline.cases.closed_cards.send_owed(now)
    ratings = await services.hotline.duty_cases.ratings.send_owed(now)
    if cards or ratings:
        log.info("sent %s owed closed cards and %s owed rating notices", cards, ratings)
    return cards + ratings


async def announce_waiting(services: Services, now: datetime | None = None) -> int:
    """Tells staff, once, of cases past the claim timeout or with an unanswered message."""
    sent = await services.hotline.waiting_alerts.announce_due(now)
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
    kb = await services.kb.figures(first, last)
    for admin in await services.people.list_people(Role.ADMIN):
        totals, categories, experts = await reports.figures(first, last, admin.locale)
        delivery = await services.hotline.cases.messenger.send_rendered(
            admin.telegram_id, "hotline_stats", totals=totals, categories=categories,
            experts=experts, first=first.strftime("%Y-%m-%d"),
            last=(last - timedelta(days=1)).strftime("%Y-%m-%d"), weekly=True, kb=kb)
        sent += delivery.ok
    return sent


async def announce_gaps(services: Services, now: datetime | None = None) -> int:
    """Tells staff, once, of the coverage gaps of the next two weeks (issue 15, item 2)."""
    hotline = services.hotline
    told = await hotline.coverage.announce(hotline.cases.messenger,
                                           hotline.cases.staff_chat_id, now)
    if told:
        log.info("announced %s roster coverage gaps to staff", told)
    return told


async def check_roster_duty(services: Services, now: datetime | None = None) -> int:
    """Withdraws the swap offers whose shift began untaken (staff warned), and sends the
    roster change notices queued where no bot runs (the command line)."""
    hotline = services.hotline
    expired = await hotline.swaps.expire_due(now)
    if expired:
        log.info("withdrew %s untaken shift swap offers", expired)
    await hotline.roster_actions.deliver_notices(hotline.cases.messenger)
    return expired


def hotline_jobs(services: Services) -> list[PeriodicJob]:
    async def report(due: datetime) -> str:
        return f"sent to {await send_weekly_report(services, due)} admins"

    async def purge(due: datetime) -> str:
        return f"purged {await purge_pending_picks(services)}"

    async def calendar_reminder(due: datetime) -> str:
        sent = await remind_calendar(services, due)
        return "reminded" if sent else "nothing to remind"

    async def coverage_gaps(due: datetime) -> str:
        return f"announced {await announce_gaps(services)} gaps"

    return [
        # Sent to admins: after a failure half-way, running it again would send some twice.
        PeriodicJob(WEEKLY_REPORT_JOB_ID, Schedule("week", time(9, 0), weekday=0), report,
                    late_limit=WEEKLY_REPORT_LATE_LIMIT, retry_on_failure=False),
        # Stale picks are refused anyway (their age is checked); this only keeps the table
        # small.
        PeriodicJob(PICKS_PURGE_JOB_ID, Schedule("hour", time(0, 5)), purge),
        # Daily at 10:00 local, working hours in the staff group. What was sent is in the
        # database (given back when the send fails), so a rerun or a retry sends nothing twice.
        PeriodicJob(CALENDAR_REMINDER_JOB_ID, Schedule("day", time(10, 0)), calendar_reminder),
        # Daily before office hours; what was announced is in the database, so a rerun or a
        # restart names no gap twice (a change announces its own gaps at once).
        PeriodicJob(COVERAGE_GAPS_JOB_ID, Schedule("day", time(8, 0)), coverage_gaps),
    ]


def schedule_hotline(scheduler: BaseScheduler, services: Services, check_seconds: int) -> None:
    scheduler.add_job(
        check_escalations, IntervalTrigger(seconds=check_seconds), args=[services],
        id=ESCALATION_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
        next_run_time=utcnow(),  # catch up at once after a restart
    )
    scheduler.add_job(
        send_owed_case_notices, IntervalTrigger(seconds=check_seconds), args=[services],
        id=OWED_NOTICES_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
        next_run_time=utcnow(),  # what a killed process left owed, at once
    )
    scheduler.add_job(
        announce_waiting, IntervalTrigger(seconds=check_seconds), args=[services],
        id=WAITING_ALERTS_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
    )
    scheduler.add_job(
        check_roster_duty, IntervalTrigger(seconds=check_seconds), args=[services],
        id=ROSTER_DUTY_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
    )


async def remind_calendar(services: Services, now: datetime | None = None) -> int | None:
    """Reminds the staff group, once a year, when next year's working calendar is unknown."""
    hotline = services.hotline
    today = (now or utcnow()).astimezone(hotline.roster.zone).date()
    return await remind_unknown_year(hotline.calendar, hotline.cases.messenger,
                                     hotline.cases.staff_chat_id, today)
