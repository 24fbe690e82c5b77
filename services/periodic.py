"""Periodic jobs that run once per period across restarts and processes.

A job is due at the latest point of its schedule (Monday 09:00, daily 03:30, every hour) not
after now. Each period is claimed with an INSERT of (job, period) into `scheduled_runs`:
among several bot processes on one database exactly one inserts it and runs the job; a
process that was down at the due time finds the period unclaimed when it comes back and
runs it then, if it is not too late for that job (`late_limit`). A run whose process died
before finishing is taken over after ABANDONED_AFTER.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import utcnow
from storage.repositories.scheduled_runs import ScheduledRunRepository

log = logging.getLogger(__name__)

# Longer than any job takes (the weekly report: seconds), so a live run is never doubled.
ABANDONED_AFTER = timedelta(minutes=30)
KEEP_RUNS_FOR = timedelta(days=90)
_instances = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every week (on `weekday`, 0 = Monday), every day, or every hour, at a local time."""

    every: str  # "week", "day" or "hour" (only the minute of `at` counts)
    at: time
    weekday: int = 0

    def latest(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The latest due time not after `now`, in local time."""
        local = now.astimezone(zone)
        if self.every == "hour":
            due = local.replace(minute=self.at.minute, second=0, microsecond=0)
            return due if due <= local else due - timedelta(hours=1)
        day = local.date()
        if self.every == "week":
            day -= timedelta(days=(day.weekday() - self.weekday) % 7)
        due = datetime.combine(day, self.at, zone)
        if due > local:
            step = timedelta(days=7 if self.every == "week" else 1)
            due = datetime.combine(day - step, self.at, zone)
        return due


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    key: str
    schedule: Schedule
    run: Callable[[datetime], Awaitable[object]]  # given the due time; returns a summary
    # How late a missed run is still worth it; None: until the next one is due.
    late_limit: timedelta | None = None
    # Safe to run again after a failure (a purge); a report that failed half-way is not.
    retry_on_failure: bool = True


class PeriodicJobs:
    def __init__(self, runs: ScheduledRunRepository, timezone: str, jobs: list[PeriodicJob],
                 *, clock: Callable[[], datetime] = utcnow) -> None:
        self._runs = runs
        self._zone = ZoneInfo(timezone)
        self._jobs = jobs
        self._clock = clock
        self.runner = f"{socket.gethostname()}:{os.getpid()}:{next(_instances)}"
        self._settled: dict[str, str] = {}  # job -> the period known to be done

    @staticmethod
    def period_key(due: datetime) -> str:
        return due.strftime("%Y-%m-%dT%H:%M%z")

    async def run_due(self) -> list[str]:
        """Runs every job whose current period nobody has run; returns the keys run here."""
        ran = []
        for job in self._jobs:
            if await self._run_if_due(job):
                ran.append(job.key)
        return ran

    async def _run_if_due(self, job: PeriodicJob) -> bool:
        now = self._clock()
        due = job.schedule.latest(now, self._zone)
        period = self.period_key(due)
        if self._settled.get(job.key) == period:
            return False
        if job.late_limit is not None and now - due > job.late_limit:
            self._settled[job.key] = period  # missed for good: too late to be worth it
            log.info("%s of %s not run: %s late", job.key, period, now - due)
            return False
        claim = await self._runs.claim(job.key, period, self.runner, now, now - ABANDONED_AFTER)
        if claim != "claimed":
            if claim == "done":
                self._settled[job.key] = period
            return False
        try:
            outcome = await job.run(due)
        except Exception as error:
            log.exception("%s of %s failed", job.key, period)
            if job.retry_on_failure:
                await self._runs.release(job.key, period)
                return False
            outcome = f"failed: {type(error).__name__}"
        await self._runs.finish(job.key, period, self._clock(), str(outcome))
        self._settled[job.key] = period
        await self._runs.prune(now - KEEP_RUNS_FOR)
        return True
