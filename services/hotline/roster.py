"""The duty roster: the weekly plan from a CSV file, dated overrides, and who is on duty when.

A roster line is `telegram_id,categories,days,start,end`: categories `;`-separated; days
`daily`, `workdays` (the Chinese working calendar, holidays and make-up days included),
a range `mon-fri`, or a list `mon;wed;fri`; times `HH:MM` local, end after start (`24:00`
allowed). A file with any bad line is refused whole, naming the line, so a half-imported
plan can never leave a category without cover.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.csv_input import CsvLineError, numbered_rows
from services.hotline.calendar import WorkingCalendar
from services.hotline.calendar_service import CalendarService
from services.refusals import Refused
from storage.repositories.hotline_roster import OverrideRow, RosterRepository, ShiftRow

COLUMNS = ["telegram_id", "categories", "days", "start", "end"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_LINES = 2000
# "9:00" is how people write nine o'clock; it is stored as 09:00.
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$|^24[:：]00$")
# How far ahead "when does the next shift start" looks before giving up.
LOOKAHEAD_DAYS = 14
_BAD_TIME = {"start": "roster.csv.bad_start", "end": "roster.csv.bad_end"}
_FIELD_LIMIT = re.compile(r"longer than ([\d,]+) characters")


class _BadValue(ValueError):
    """One cell of a line is wrong: the reason's catalogue key (roster.csv.*) and values;
    the file's reader adds the line and raises it as a Refused."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True, slots=True)
class Duty:
    """One expert on duty for some categories between two local times of a date."""

    telegram_id: int
    categories: tuple[str, ...]
    start: str
    end: str
    override: bool = False


def minutes(value: str) -> int:
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def parse_days(spec: str) -> str:
    """Normalises a days column, or raises _BadValue with the reason."""
    value = spec.strip().lower()
    if value in ("daily", "workdays"):
        return value
    parts = [part.strip() for part in value.split(";") if part.strip()]
    if not parts:
        raise _BadValue("roster.csv.days_empty")
    for part in parts:
        ends = part.split("-")
        if len(ends) > 2 or any(end not in WEEKDAYS for end in ends):
            raise _BadValue("roster.csv.bad_day", value=part)
    return ";".join(parts)


def day_matches(days: str, day: date, calendar: WorkingCalendar) -> bool:
    if days == "daily":
        return True
    if days == "workdays":
        return calendar.is_workday(day)
    weekday = day.weekday()
    for part in days.split(";"):
        ends = [WEEKDAYS.index(end) for end in part.split("-")]
        first, last = ends[0], ends[-1]
        inside = first <= weekday <= last if first <= last else (
            weekday >= first or weekday <= last)
        if inside:
            return True
    return False


def check_time(value: str, column: str) -> str:
    """`9:00` -> `09:00`; _BadValue (roster.csv.bad_start / bad_end) for anything else."""
    value = value.strip()
    found = _TIME.match(value)
    if not found:
        raise _BadValue(_BAD_TIME[column], value=value)
    if found[1] is None:
        return "24:00"
    return f"{int(found[1]):02d}:{found[2]}"


def check_times(start: str, end: str) -> tuple[str, str]:
    """A shift's start and end typed in a form or a command: Refused naming the field."""
    times = []
    for column, value in (("start", start), ("end", end)):
        try:
            times.append(check_time(value, column))
        except _BadValue:
            raise Refused("console_ops.roster.error.bad_time", column, value=value) from None
    start, end = times
    if minutes(end) <= minutes(start):
        raise Refused("console_ops.roster.error.end_before_start", "end", start=start,
                      end=end)
    return start, end


def parse_roster_csv(text: str, experts: dict[int, tuple[str, ...]],
                     categories: Iterable[str]) -> list[tuple[int, ShiftRow]]:
    """Every line as a shift with its line number, or Refused (roster.csv.*, with the line)
    for the first bad one.

    `experts` maps each expert's id to their categories: a shift may only cover those.
    """
    known_categories = set(categories)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = numbered_rows(reader)
    try:
        header = next(rows, (1, None))[1]
        if header is None or [c.strip().lower() for c in header] != COLUMNS:
            raise Refused("roster.csv.header", line=1, columns=",".join(COLUMNS))
        return _shifts(rows, experts, known_categories)
    except CsvLineError as error:
        too_long = _FIELD_LIMIT.search(error.reason)
        if too_long:
            raise Refused("roster.csv.field_too_long", line=error.line,
                          limit=too_long.group(1)) from None
        raise Refused("roster.csv.unreadable", line=error.line) from None


def _shifts(rows: Iterator[tuple[int, list[str]]], experts: dict[int, tuple[str, ...]],
            known_categories: set[str]) -> list[tuple[int, ShiftRow]]:
    shifts: list[tuple[int, ShiftRow]] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(shifts) >= MAX_LINES:
            raise Refused("roster.csv.too_many", line=line, limit=MAX_LINES)
        try:
            shifts.append((line, _parse_line(row, experts, known_categories)))
        except _BadValue as error:
            raise Refused(error.key, line=line, **error.values) from None
    return shifts


def _parse_line(row: list[str], experts: dict[int, tuple[str, ...]],
                known_categories: set[str]) -> ShiftRow:
    if len(row) != len(COLUMNS):
        raise _BadValue("roster.csv.column_count", expected=len(COLUMNS), found=len(row))
    raw_id, raw_categories, raw_days, raw_start, raw_end = row
    try:
        telegram_id = int(raw_id.strip())
    except ValueError:
        raise _BadValue("roster.csv.not_number", value=raw_id.strip()) from None
    if telegram_id not in experts:
        raise _BadValue("roster.csv.not_expert", value=telegram_id)
    categories = tuple(c.strip() for c in raw_categories.split(";") if c.strip())
    if not categories:
        raise _BadValue("roster.csv.categories_empty")
    for key in categories:
        if key not in known_categories:
            raise _BadValue("roster.csv.unknown_category", value=key)
        if key not in experts[telegram_id]:
            raise _BadValue("roster.csv.not_in_category", expert=telegram_id, value=key)
    start, end = check_time(raw_start, "start"), check_time(raw_end, "end")
    if minutes(end) <= minutes(start):
        raise _BadValue("roster.csv.end_before_start", start=start, end=end)
    return ShiftRow(telegram_id, categories, parse_days(raw_days), start, end)


class RosterService:
    def __init__(self, repository: RosterRepository, timezone: str,
                 calendars: CalendarService | None = None) -> None:
        self._repository = repository
        self.zone = ZoneInfo(timezone)
        # Without the entered calendar (tools that have no database) the package decides;
        # one instance, so a year it does not know is warned about once.
        self.calendars = calendars
        self._package_only = WorkingCalendar()

    async def calendar(self, first: date, last: date) -> WorkingCalendar:
        """The working calendar for [first, last], as routing and every view see it."""
        if self.calendars is None:
            return self._package_only
        return await self.calendars.calendar(first, last)

    async def import_file(self, text: str, *, allow_empty: bool = False) -> int:
        """Replaces the weekly plan with the file's shifts. A file with no shifts would leave
        every category without cover, so it is refused unless emptying is what is meant."""
        experts = {e.telegram_id: e.categories for e in await self._repository.experts()}
        categories = [c.key for c in await self._repository.categories(include_inactive=True)]
        shifts = parse_roster_csv(text, experts, categories)
        if not shifts and not allow_empty:
            raise Refused("roster.csv.no_shifts")
        await self._repository.replace_shifts(shifts)
        return len(shifts)

    async def duties_on(self, day: date) -> list[Duty]:
        """Who is on duty that (local) date, overrides applied, ordered by start."""
        overrides = await self._repository.overrides(day, day)
        return self.plan_for(day, await self._repository.shifts(), overrides,
                             await self.calendar(day, day))

    def plan_for(self, day: date, shifts: list[ShiftRow], overrides: list[OverrideRow],
                 calendar: WorkingCalendar) -> list[Duty]:
        leave = [o for o in overrides if o.day == day and o.kind == "off"]
        on_leave = {o.telegram_id for o in leave if o.start is None}
        # An "off" with hours (a swapped shift) takes only the shift of exactly those hours.
        shift_off = {(o.telegram_id, o.start, o.end) for o in leave if o.start is not None}
        duties = [Duty(s.telegram_id, s.categories, s.start, s.end) for s in shifts
                  if s.telegram_id not in on_leave and day_matches(s.days, day, calendar)]
        duties += [Duty(o.telegram_id, o.categories, o.start or "00:00", o.end or "24:00", True)
                   for o in overrides if o.day == day and o.kind == "on"]
        duties = [d for d in duties if (d.telegram_id, d.start, d.end) not in shift_off]
        return sorted(duties, key=lambda d: (d.start, d.telegram_id))

    async def on_duty(self, category: str, moment: datetime) -> list[int]:
        """The experts on duty for the category at that moment (stepped-off ones excluded)."""
        local = moment.astimezone(self.zone)
        now = local.hour * 60 + local.minute
        experts = {e.telegram_id: e for e in await self._repository.experts()}
        found: list[int] = []
        for duty in await self.duties_on(local.date()):
            expert = experts.get(duty.telegram_id)
            if (expert is None or expert.stepped_off or category not in duty.categories
                    or category not in expert.categories):
                continue
            if minutes(duty.start) <= now < minutes(duty.end) and duty.telegram_id not in found:
                found.append(duty.telegram_id)
        return found

    async def on_leave(self, moment: datetime) -> set[int]:
        """Experts off at that moment: on leave that (local) date, or off for a shift (swapped
        away) whose hours hold the moment. Not even asked as backups."""
        local = moment.astimezone(self.zone)
        now = local.hour * 60 + local.minute
        return {o.telegram_id for o in await self._repository.overrides(local.date(),
                                                                       local.date())
                if o.kind == "off" and (o.start is None or o.end is None
                                        or minutes(o.start) <= now < minutes(o.end))}

    async def next_shift_start(self, category: str, moment: datetime) -> datetime | None:
        """When the next shift covering the category starts (local time), within two weeks."""
        local = moment.astimezone(self.zone)
        shifts = await self._repository.shifts()
        last = local.date() + timedelta(days=LOOKAHEAD_DAYS)
        overrides = await self._repository.overrides(local.date(), last)
        calendar = await self.calendar(local.date(), last)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            starts = sorted(minutes(d.start)
                            for d in self.plan_for(day, shifts, overrides, calendar)
                            if category in d.categories)
            for start in starts:
                begins = datetime.combine(day, time(start // 60, start % 60), self.zone)
                if begins > local:
                    return begins
        return None

    async def shifts_of(self, telegram_id: int, first: date, days: int) -> list[tuple[date, Duty]]:
        """An expert's own shifts for the next `days` days, for /duty."""
        shifts = await self._repository.shifts()
        overrides = await self._repository.overrides(first, first + timedelta(days=days))
        calendar = await self.calendar(first, first + timedelta(days=days))
        found: list[tuple[date, Duty]] = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            found += [(day, d) for d in self.plan_for(day, shifts, overrides, calendar)
                      if d.telegram_id == telegram_id]
        return found

    async def add_override(self, day: date, telegram_id: int, kind: str,
                           categories: tuple[str, ...] = (), start: str | None = None,
                           end: str | None = None) -> int:
        """Stores one dated exception; the checks are RosterActions.add_override's."""
        if kind not in ("on", "off"):
            raise Refused("console_ops.overrides.error.kind", "kind")
        expert = await self._repository.expert(telegram_id)
        if expert is None:
            raise Refused("console_ops.roster.error.not_expert", "expert", id=telegram_id)
        if kind == "on":
            categories = categories or expert.categories
            start, end = check_times(start or "00:00", end or "24:00")
        return await self._repository.add_override(day, telegram_id, kind, categories, start,
                                                   end)

    async def remove_override(self, override_id: int) -> bool:
        return await self._repository.remove_override(override_id)
