"""Which periods of the periodic jobs were run, by whom; claimed atomically across processes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import ScheduledRun
from storage.upsert import insert_ignoring_conflicts

Claim = Literal["claimed", "done", "busy"]


class ScheduledRunRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, job: str, period: str, runner: str, now: datetime,
                    abandoned_before: datetime) -> Claim:
        """Takes the period for this runner, unless it ran or is running elsewhere. A run
        started before `abandoned_before` and never finished (its process died) is taken over."""
        async with self._db.session() as session:
            inserted = await session.execute(insert_ignoring_conflicts(session, ScheduledRun, [
                {"job": job, "period": period, "runner": runner, "started_at": now}]))
            if inserted.rowcount:
                return "claimed"
            row = await session.get(ScheduledRun, (job, period))
            if row is None:  # released between the two statements: next time
                return "busy"
            if row.finished_at is not None:
                return "done"
            taken = await session.execute(
                update(ScheduledRun).where(
                    ScheduledRun.job == job, ScheduledRun.period == period,
                    ScheduledRun.finished_at.is_(None),
                    ScheduledRun.started_at < abandoned_before)
                .values(runner=runner, started_at=now)
                .execution_options(synchronize_session=False))
            return "claimed" if taken.rowcount else "busy"

    async def finish(self, job: str, period: str, now: datetime, outcome: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(ScheduledRun).where(ScheduledRun.job == job,
                                           ScheduledRun.period == period)
                .values(finished_at=now, outcome=outcome[:200]))

    async def release(self, job: str, period: str) -> None:
        """Gives a failed period back, so a later tick tries it again."""
        async with self._db.session() as session:
            await session.execute(delete(ScheduledRun).where(
                ScheduledRun.job == job, ScheduledRun.period == period,
                ScheduledRun.finished_at.is_(None)))

    async def runs(self, job: str) -> list[ScheduledRun]:
        async with self._db.session() as session:
            rows = await session.execute(select(ScheduledRun).where(ScheduledRun.job == job)
                                         .order_by(ScheduledRun.period))
            return list(rows.scalars())

    async def prune(self, before: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(ScheduledRun).where(ScheduledRun.started_at < before,
                                           ScheduledRun.finished_at.is_not(None)))
            return int(result.rowcount or 0)
