"""The working calendar the bureau entered (holidays, make-up working days) and the record
of yearly reminders to enter it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import WorkingCalendarDay, WorkingCalendarReminder, utcnow


@dataclass(frozen=True, slots=True)
class EnteredDay:
    day: date
    kind: str  # holiday, workday
    name: str
    notice_year: int
    origin: str = ""
    entered_at: datetime | None = None


def _entered(row: WorkingCalendarDay) -> EnteredDay:
    return EnteredDay(row.day, row.kind, row.name, row.notice_year, row.origin,
                      row.entered_at)


class WorkingCalendarRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def days(self, first: date, last: date, notice_years: Iterable[int] = ()
                   ) -> list[EnteredDay]:
        """The entered days in [first, last], and every day of the given notices."""
        years = list(notice_years)
        condition = WorkingCalendarDay.day.between(first, last)
        if years:
            condition = or_(condition, WorkingCalendarDay.notice_year.in_(years))
        async with self._db.session() as session:
            rows = (await session.execute(select(WorkingCalendarDay).where(condition)
                                          .order_by(WorkingCalendarDay.day))).scalars()
            return [_entered(row) for row in rows]

    async def snapshot(self, first: date, last: date) -> tuple[list[EnteredDay], set[int]]:
        """The entered days in [first, last] and which of its years have a notice entered,
        read together (the roster asks for this on every routing decision)."""
        async with self._db.session() as session:
            rows = (await session.execute(
                select(WorkingCalendarDay).where(WorkingCalendarDay.day.between(first, last))
                .order_by(WorkingCalendarDay.day))).scalars()
            days = [_entered(row) for row in rows]
            years = await session.execute(
                select(WorkingCalendarDay.notice_year).where(WorkingCalendarDay.notice_year
                                                             .between(first.year, last.year))
                .distinct())
            return days, set(years.scalars())

    async def entered_years(self, years: Iterable[int]) -> set[int]:
        """Which of the years have a notice entered."""
        async with self._db.session() as session:
            found = await session.execute(
                select(WorkingCalendarDay.notice_year)
                .where(WorkingCalendarDay.notice_year.in_(list(years))).distinct())
            return set(found.scalars())

    async def replace_year(self, notice_year: int, days: list[EnteredDay]) -> None:
        """The year's notice becomes exactly `days`, in one transaction. A day another year's
        notice held goes to this one: the notice entered last is the one staff meant."""
        async with self._db.session() as session:
            await session.execute(delete(WorkingCalendarDay).where(or_(
                WorkingCalendarDay.notice_year == notice_year,
                WorkingCalendarDay.day.in_([d.day for d in days]))))
            await session.flush()
            session.add_all(WorkingCalendarDay(
                day=d.day, notice_year=notice_year, kind=d.kind, name=d.name, origin=d.origin,
                entered_at=d.entered_at or utcnow()) for d in days)

    async def remove_day(self, day: date) -> EnteredDay | None:
        """Removes one entered day; what it was, or None when there was none."""
        async with self._db.session() as session:
            row = await session.get(WorkingCalendarDay, day)
            if row is None:
                return None
            removed = _entered(row)
            await session.delete(row)
            return removed

    async def count(self, notice_year: int) -> int:
        async with self._db.session() as session:
            return int(await session.scalar(
                select(func.count()).select_from(WorkingCalendarDay)
                .where(WorkingCalendarDay.notice_year == notice_year)) or 0)

    async def mark_reminded(self, year: int) -> bool:
        """Records the reminder for the year; False when it was already recorded (another
        check got there first), so a reminder goes out once."""
        try:
            async with self._db.session() as session:
                session.add(WorkingCalendarReminder(year=year, sent_at=utcnow()))
        except IntegrityError:
            return False
        return True

    async def forget_reminder(self, year: int) -> None:
        """The reminder did not arrive: the next daily check tries again."""
        async with self._db.session() as session:
            await session.execute(delete(WorkingCalendarReminder)
                                  .where(WorkingCalendarReminder.year == year))

    async def reminded(self, year: int) -> datetime | None:
        async with self._db.session() as session:
            row = await session.get(WorkingCalendarReminder, year)
            return row.sent_at if row is not None else None
