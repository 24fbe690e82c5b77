"""An expert's coming shifts as a short list for /duty: one line per run of days with the
same shifts, each shift once with all its categories (not one line per day and category)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.hotline.roster import Duty


@dataclass(frozen=True, slots=True)
class Shift:
    start: str
    end: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DutyRun:
    """Consecutive days (first to last) that have the same shifts."""

    first: date
    last: date
    shifts: tuple[Shift, ...]


def day_plan(duties: list[Duty]) -> tuple[Shift, ...]:
    """A day's shifts in time order; shifts with the same hours become one."""
    merged: dict[tuple[str, str], list[str]] = {}
    for duty in duties:
        keys = merged.setdefault((duty.start, duty.end), [])
        keys += [k for k in duty.categories if k not in keys]
    return tuple(Shift(start, end, tuple(keys))
                 for (start, end), keys in sorted(merged.items()))


def summarise(shifts: list[tuple[date, Duty]]) -> list[DutyRun]:
    by_day: dict[date, list[Duty]] = {}
    for day, duty in shifts:
        by_day.setdefault(day, []).append(duty)
    runs: list[DutyRun] = []
    for day in sorted(by_day):
        plan = day_plan(by_day[day])
        last = runs[-1] if runs else None
        if last is not None and last.shifts == plan and last.last + timedelta(days=1) == day:
            runs[-1] = DutyRun(last.first, day, plan)
        else:
            runs.append(DutyRun(day, day, plan))
    return runs
