"""The working calendar as staff keep it: entering a year's notice (a file, or day by day in
the console), showing a year with where each day came from, the snapshots the roster asks,
and whether staff must be reminded that next year is still unknown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

from services.hotline.calendar import (
    ENTERED,
    FALLBACK,
    HOLIDAY_ENTRY,
    PACKAGE,
    WORKDAY_ENTRY,
    WorkingCalendar,
    package_knows,
    package_version,
)
from services.hotline.calendar_days import HOLIDAY, MAKEUP, CalendarDay, describe_day
from services.hotline.calendar_file import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarFileError,
    NoticeFile,
    check_entry,
    parse_notice,
)
from storage.models import utcnow
from storage.repositories.working_calendar import EnteredDay, WorkingCalendarRepository

# From this day of December on, an unknown next year is worth a reminder: the State Council
# publishes the notice in October to December, and the roster needs it by 1 January.
REMIND_FROM_MONTH, REMIND_FROM_DAY = 12, 1
CONSOLE_ORIGIN = "console"
PACKAGE_ORIGIN = "chinese-calendar"
# The notice's own names, for the days copied from the package when staff edit a year the
# package knows (the package names them in English only).
PACKAGE_NAMES = {
    "new_years_day": "元旦", "spring_festival": "春节", "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节", "dragon_boat_festival": "端午节", "national_day": "国庆节",
    "mid_autumn_festival": "中秋节", "anti_fascist_70th_day": "抗战胜利纪念日",
}


class CalendarEditError(ValueError):
    """A console edit refused: a reason key under console_ops.calendar_csv. and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    source: str  # entered, package, fallback: where the year as a whole comes from
    days: list[CalendarDay]  # its holidays and make-up working days, in date order
    package_version: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    year: int
    holidays: int
    workdays: int
    replaced: int  # entered days of that year before the import


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


class CalendarService:
    def __init__(self, repository: WorkingCalendarRepository) -> None:
        self._repository = repository
        self._warned: set[int] = set()
        # Edits of one year read, change and write it whole: one at a time in this process.
        self._lock = asyncio.Lock()

    @property
    def repository(self) -> WorkingCalendarRepository:
        return self._repository

    async def calendar(self, first: date, last: date) -> WorkingCalendar:
        """A snapshot for [first, last]: the entered days and which of its years are entered."""
        entered, years = await self._repository.snapshot(first, last)
        return WorkingCalendar(entered, years, self._warned)

    async def source_of_year(self, year: int) -> str:
        if await self._repository.entered_years([year]):
            return ENTERED
        return PACKAGE if package_knows(date(year, 1, 1)) else FALLBACK

    async def year(self, year: int) -> YearView:
        """Every holiday and make-up working day of the year's notice, with its source."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CalendarEditError("year_range", value=year, first=FIRST_YEAR, last=LAST_YEAR)
        source = await self.source_of_year(year)
        first, last = year_bounds(year)
        # The notice may name make-up days of the December before: read that month too.
        calendar = await self.calendar(first - timedelta(days=31), last)
        candidates = [first + timedelta(days=offset)
                      for offset in range(-31, (last - first).days + 1)]
        if source == FALLBACK:
            # Nobody knows the year: only days the next year's notice names in its December
            # (and no Monday-to-Friday warning for asking about the rest).
            candidates = [day for day in candidates if calendar.entered(day) is not None]
        days = []
        for day in candidates:
            entry = calendar.entered(day)
            if day.year != year and (entry is None or entry.notice_year != year):
                continue
            described = describe_day(calendar, day)
            if described.kind in (HOLIDAY, MAKEUP):
                days.append(described)
        return YearView(year, source, days, package_version())

    async def import_notice(self, text: str, origin: str) -> ImportResult:
        """Replaces the file's year with it, or raises CalendarFileError (nothing changes)."""
        return await self.store_notice(parse_notice(text), origin)

    async def store_notice(self, notice: NoticeFile, origin: str) -> ImportResult:
        """Replaces the notice's year with it (a file already parsed and checked)."""
        origin, now = origin[:128], utcnow()
        days = [EnteredDay(n.day, n.kind, n.name, notice.year, origin, now)
                for n in notice.lines]
        async with self._lock:
            before = await self._repository.count(notice.year)
            await self._repository.replace_year(notice.year, days)
        return ImportResult(notice.year, notice.holidays, notice.workdays, before)

    async def set_day(self, day: date, kind: str, name: str) -> EnteredDay:
        """Enters or changes one day of a year's notice (the console's form). In a year only
        the package knew, the package's days are copied first, so one edit never drops the
        rest of the year."""
        name = name.strip()
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise CalendarEditError("year_range", value=day.year, first=FIRST_YEAR,
                                    last=LAST_YEAR)
        try:
            check_entry(0, day, kind, name)
        except CalendarFileError as error:
            raise CalendarEditError(error.key, **error.values) from None
        entry = EnteredDay(day, kind, name, day.year, CONSOLE_ORIGIN, utcnow())
        async with self._lock:
            days = await self._notice_days(day.year)
            days = [d for d in days if d.day != day] + [entry]
            await self._repository.replace_year(day.year, sorted(days, key=lambda d: d.day))
        return entry

    async def remove_day(self, day: date) -> CalendarDay | None:
        """Takes a day out of the notice that names it (a make-up day in December may belong
        to the next year's): it becomes an ordinary day. What it was, or None when no notice
        names it."""
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            return None
        async with self._lock:
            calendar = await self.calendar(day, day)
            before = describe_day(calendar, day)
            entry = calendar.entered(day)
            year = entry.notice_year if entry is not None else day.year
            days = await self._notice_days(year)
            kept = [d for d in days if d.day != day]
            if len(kept) == len(days):
                return None
            if kept:
                await self._repository.replace_year(year, kept)
            else:
                await self._repository.remove_day(day)
        return before

    async def _notice_days(self, year: int) -> list[EnteredDay]:
        """The year's notice as entered days: the entered ones, else a copy of the package's."""
        first, last = year_bounds(year)
        entered = [d for d in await self._repository.days(first, last, [year])
                   if d.notice_year == year]
        if entered or not package_knows(first):
            return entered
        copied = []
        package = WorkingCalendar()
        now, origin = utcnow(), f"{PACKAGE_ORIGIN} {package_version()}"
        for offset in range((last - first).days + 1):
            described = describe_day(package, first + timedelta(days=offset))
            if described.kind not in (HOLIDAY, MAKEUP):
                continue
            name = PACKAGE_NAMES.get(described.holiday or "", "")
            if described.kind == HOLIDAY:
                copied.append(EnteredDay(described.day, HOLIDAY_ENTRY, name or "假日", year,
                                         origin, now))
            else:
                copied.append(EnteredDay(described.day, WORKDAY_ENTRY, f"{name}调休", year,
                                         origin, now))
        return copied

    async def unknown_next_year(self, today: date) -> int | None:
        """Next year, when from 1 December on it is neither entered nor in the package."""
        if (today.month, today.day) < (REMIND_FROM_MONTH, REMIND_FROM_DAY):
            return None
        upcoming = today.year + 1
        if await self.source_of_year(upcoming) != FALLBACK:
            return None
        return upcoming

    async def claim_reminder(self, year: int) -> bool:
        return await self._repository.mark_reminded(year)

    async def release_reminder(self, year: int) -> None:
        await self._repository.forget_reminder(year)
