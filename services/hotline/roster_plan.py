"""The weekly plan as cells (category × day column × shift) and back to roster lines.

A roster line covers several categories and days at once (`1,legal;finance,mon-fri,...`),
which a grid cannot edit in place. So the plan is taken apart into assignments, one expert
in one cell, edited there, and put back together into lines. `workdays` stays a column of
its own: it follows the Chinese working calendar (holidays off, make-up days on), so it is
not the same as Monday to Friday and must never be turned into it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.hotline.roster import COLUMNS, WEEKDAYS
from storage.repositories.hotline_roster import ShiftRow

WORKDAYS = "workdays"
DAY_COLUMNS = (*WEEKDAYS, WORKDAYS)
# Consecutive weekdays from this many on are written as a range (mon-fri), fewer as a list.
RANGE_FROM = 3


@dataclass(frozen=True, slots=True, order=True)
class Assignment:
    """One expert on duty for one category, in one day column, between two times."""

    category: str
    day: str
    start: str
    end: str
    telegram_id: int


def days_of(spec: str) -> list[str]:
    """The day columns a normalised days value covers (see roster.parse_days)."""
    if spec == WORKDAYS:
        return [WORKDAYS]
    if spec == "daily":
        return list(WEEKDAYS)
    found: list[str] = []
    for part in spec.split(";"):
        ends = [WEEKDAYS.index(end) for end in part.split("-")]
        first, last = ends[0], ends[-1]
        span = range(first, last + 1) if first <= last else [
            *range(first, len(WEEKDAYS)), *range(0, last + 1)]
        found += [WEEKDAYS[i] for i in span if WEEKDAYS[i] not in found]
    return sorted(found, key=WEEKDAYS.index)


def days_spec(days: Iterable[str]) -> str:
    """The shortest days value for a set of weekdays: daily, mon-fri, mon;wed;fri, mon-wed;sat."""
    indices = sorted({WEEKDAYS.index(d) for d in days})
    if len(indices) == len(WEEKDAYS):
        return "daily"
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts: list[str] = []
    for run in runs:
        if len(run) >= RANGE_FROM:
            parts.append(f"{WEEKDAYS[run[0]]}-{WEEKDAYS[run[-1]]}")
        else:
            parts += [WEEKDAYS[i] for i in run]
    return ";".join(parts)


def assignments_of(shifts: Iterable[ShiftRow]) -> set[Assignment]:
    return {Assignment(category, day, s.start, s.end, s.telegram_id)
            for s in shifts for category in s.categories for day in days_of(s.days)}


def shifts_of(assignments: Iterable[Assignment],
              category_order: dict[int, tuple[str, ...]]) -> list[ShiftRow]:
    """Lines again: per expert and times, the days of each category, then the categories
    sharing the same days on one line (in the order the expert's categories were given)."""
    days: dict[tuple[int, str, str, str], set[str]] = defaultdict(set)
    for a in assignments:
        days[(a.telegram_id, a.start, a.end, a.category)].add(a.day)
    lines: dict[tuple[int, str, str, str], list[str]] = defaultdict(list)
    for (telegram_id, start, end, category), columns in days.items():
        weekdays = [d for d in columns if d != WORKDAYS]
        specs = ([WORKDAYS] if WORKDAYS in columns else []) + (
            [days_spec(weekdays)] if weekdays else [])
        for spec in specs:
            lines[(telegram_id, start, end, spec)].append(category)
    shifts: list[ShiftRow] = []
    for (telegram_id, start, end, spec), categories in lines.items():
        order = category_order.get(telegram_id, ())
        ranked = sorted(categories, key=lambda c: (order.index(c) if c in order else len(order),
                                                   c))
        shifts.append(ShiftRow(telegram_id, tuple(ranked), spec, start, end))
    return sorted(shifts, key=lambda s: (s.start, s.end, s.telegram_id, s.days, s.categories))


def roster_csv(shifts: Iterable[ShiftRow]) -> str:
    """The plan in the file format `hotline roster import` reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in shifts:
        writer.writerow([s.telegram_id, ";".join(s.categories), s.days, s.start, s.end])
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift of one cell: its times and who is on it."""

    start: str
    end: str
    experts: tuple[int, ...]


def grid_of(assignments: Iterable[Assignment]) -> dict[tuple[str, str], list[Shift]]:
    """(category, day column) -> the cell's shifts, earliest first."""
    cells: dict[tuple[str, str], dict[tuple[str, str], list[int]]] = defaultdict(
        lambda: defaultdict(list))
    for a in sorted(assignments):
        cells[(a.category, a.day)][(a.start, a.end)].append(a.telegram_id)
    return {key: [Shift(start, end, tuple(experts))
                  for (start, end), experts in sorted(times.items())]
            for key, times in cells.items()}
