"""The file staff enter a State Council notice with: `date,kind,name`, one line per holiday
or make-up working day, e.g. `2027-02-06,holiday,春节` and `2027-02-14,workday,春节调休`.

A file is one year's notice and replaces that year whole. Its year is the latest year in it;
a make-up day in the December before is allowed (notices have named such days), anything
else outside the year is refused. A bad file is refused whole, naming the line: the reason is
a catalogue key with values (the console shows it in the reader's language) and an English
sentence (the command line).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from services.hotline.calendar import HOLIDAY_ENTRY, WORKDAY_ENTRY

COLUMNS = ["date", "kind", "name"]
KINDS = (HOLIDAY_ENTRY, WORKDAY_ENTRY)
MAX_BYTES = 64 * 1024
MAX_NAME = 64
FIRST_YEAR, LAST_YEAR = 2000, 2100

# English for the command line; the console's texts are console_ops.calendar_csv.<key>.
MESSAGES = {
    "too_big": "the file is larger than {limit} KiB",
    "encoding": "the file is not UTF-8 text",
    "header": "the columns must be date,kind,name",
    "column_count": "expected 3 columns, found {found}",
    "bad_date": "{value!r} is not a date like 2027-01-01",
    "year_range": "{value} is outside the years {first}-{last}",
    "bad_kind": "kind {value!r} is neither holiday nor workday",
    "name_empty": "the name is empty",
    "name_long": "the name is longer than {limit} characters",
    "duplicate": "{value} is already on line {other}",
    "workday_weekday": "{value} is a {weekday}: a make-up working day is a Saturday or Sunday",
    "other_year": "{value} is not in {year}, the year of this file (only make-up days of the "
                  "December before may be in it)",
    "no_days": "the file names no days",
    "wrong_year": "the file is the {found} notice, not {year}'s",
}


class CalendarFileError(ValueError):
    """A refused file: the line (0: the file as a whole), a reason key and its values."""

    def __init__(self, line: int, key: str, **values: object) -> None:
        self.line, self.key, self.values = line, key, values
        reason = MESSAGES[key].format(**values)
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass(frozen=True, slots=True)
class NoticeLine:
    line: int
    day: date
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class NoticeFile:
    year: int
    lines: list[NoticeLine]

    @property
    def holidays(self) -> int:
        return sum(1 for n in self.lines if n.kind == HOLIDAY_ENTRY)

    @property
    def workdays(self) -> int:
        return sum(1 for n in self.lines if n.kind == WORKDAY_ENTRY)


def decode_notice(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CalendarFileError(0, "too_big", limit=MAX_BYTES // 1024)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CalendarFileError(0, "encoding") from None


def parse_notice(text: str) -> NoticeFile:
    """The file's lines, checked one by one and then as a year; CalendarFileError otherwise."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise CalendarFileError(0, "too_big", limit=MAX_BYTES // 1024)
    # csv's own field limit (131,072 characters) is above MAX_BYTES: no field can reach
    # it, and with no duplicate dates a file cannot hold more lines than a year has days.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [c.strip().lower() for c in header] != COLUMNS:
        raise CalendarFileError(1, "header")
    lines: list[NoticeLine] = []
    seen: dict[date, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        entry = _parse_line(number, row)
        if entry.day in seen:
            raise CalendarFileError(number, "duplicate", value=entry.day.isoformat(),
                                    other=seen[entry.day])
        seen[entry.day] = number
        lines.append(entry)
    if not lines:
        raise CalendarFileError(0, "no_days")
    year = max(n.day.year for n in lines)
    for entry in lines:
        inside = entry.day.year == year or (
            entry.day.year == year - 1 and entry.day.month == 12 and entry.kind == WORKDAY_ENTRY)
        if not inside:
            raise CalendarFileError(entry.line, "other_year", value=entry.day.isoformat(),
                                    year=year)
    return NoticeFile(year, sorted(lines, key=lambda n: n.day))


def _parse_line(number: int, row: list[str]) -> NoticeLine:
    if len(row) != len(COLUMNS):
        raise CalendarFileError(number, "column_count", found=len(row))
    raw_day, raw_kind, raw_name = (cell.strip() for cell in row)
    day = parse_day(number, raw_day)
    kind = raw_kind.lower()
    if kind not in KINDS:
        raise CalendarFileError(number, "bad_kind", value=raw_kind)
    check_entry(number, day, kind, raw_name)
    return NoticeLine(number, day, kind, raw_name)


def parse_day(number: int, raw: str) -> date:
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise CalendarFileError(number, "bad_date", value=raw[:40])
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarFileError(number, "year_range", value=raw, first=FIRST_YEAR,
                                last=LAST_YEAR)
    return day


def check_entry(number: int, day: date, kind: str, name: str) -> None:
    """What holds for every entered day, whether from a file or the console's form."""
    if kind not in KINDS:
        raise CalendarFileError(number, "bad_kind", value=kind)
    if not name:
        raise CalendarFileError(number, "name_empty")
    if len(name) > MAX_NAME:
        raise CalendarFileError(number, "name_long", limit=MAX_NAME)
    if kind == WORKDAY_ENTRY and day.weekday() < 5:
        raise CalendarFileError(number, "workday_weekday", value=day.isoformat(),
                                weekday=day.strftime("%A"))
