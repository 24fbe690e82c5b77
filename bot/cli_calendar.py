"""`hotline calendar import|show`: the working calendar (holidays, make-up working days) that
staff enter from the State Council's yearly notice, and how `hotline roster show` names a day.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import chinese_calendar

from bot.cli_audit import CommandLineAudit
from services.hotline import HotlineServices
from services.hotline.calendar import ENTERED, FALLBACK, package_version
from services.hotline.calendar_days import HOLIDAY, MAKEUP, CalendarDay
from services.hotline.calendar_file import MESSAGES, CalendarFileError, decode_notice
from services.hotline.calendar_service import CalendarEditError

KIND_WORDS = {HOLIDAY: "holiday", MAKEUP: "make-up working day", "weekend": "rest day",
              "workday": "working day"}


def add_calendar_parser(commands: Any) -> None:
    calendar = commands.add_parser(
        "calendar", help="the working calendar: holidays and make-up working days").add_subparsers(
        dest="action", required=True)
    importing = calendar.add_parser(
        "import", help="enter a year's notice from a CSV file (date,kind,name); replaces the year")
    importing.add_argument("file", type=Path)
    show = calendar.add_parser("show", help="a year's holidays and make-up working days")
    show.add_argument("year", type=int)


def source_words(described: CalendarDay) -> str:
    """Where a day's calendar came from, in words."""
    if described.source == ENTERED:
        return f"the bureau's entered calendar ({described.origin})" if described.origin else (
            "the bureau's entered calendar")
    if described.source == FALLBACK:
        return "the Monday-Friday fallback (this year is not entered and not in the package)"
    return f"the package chinese-calendar {package_version()}"


def day_name(described: CalendarDay) -> str:
    if described.name:
        return described.name
    if described.holiday:
        return chinese_calendar.Holiday[described.holiday].value
    return ""


def describe_line(described: CalendarDay) -> str:
    """`2027-02-13 Sat: working day (make-up working day 春节调休); source: ...`"""
    day = described.day
    kind = "working day" if described.workday else "rest day"
    special = ""
    if described.kind in (HOLIDAY, MAKEUP):
        special = f" ({' '.join(filter(None, [KIND_WORDS[described.kind], day_name(described)]))})"
    return f"{day} {day.strftime('%a')}: {kind}{special}; source: {source_words(described)}"


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _fail(message: str) -> int:
    print(f"hotline: {message}", file=sys.stderr)
    return 2


async def calendar_command(hotline: HotlineServices, audit: CommandLineAudit,
                           args: argparse.Namespace) -> int:
    calendars = hotline.calendar
    if args.action == "import":
        try:
            data = await asyncio.to_thread(args.file.read_bytes)
        except OSError as error:
            return _fail(f"{args.file}: {error.strerror or error}; the calendar is unchanged")
        try:
            result = await calendars.import_notice(decode_notice(data), args.file.name)
        except CalendarFileError as error:
            await audit.record("calendar.import_refused", target=args.file.name,
                               detail={"line": error.line, "reason": error.key})
            return _fail(f"{args.file}: {error}; the calendar is unchanged")
        await audit.record("calendar.import", target=args.file.name,
                           detail={"year": result.year, "holidays": result.holidays,
                                   "workdays": result.workdays, "replaced": result.replaced})
        replaced = (f", replacing the {result.replaced} days entered before"
                    if result.replaced else "")
        print(f"entered the {result.year} calendar: {counted(result.holidays, 'holiday')} and "
              f"{counted(result.workdays, 'make-up working day')}{replaced}")
        return 0
    try:
        view = await calendars.year(args.year)
    except CalendarEditError as error:
        return _fail(MESSAGES[error.key].format(**error.values))
    if view.source == ENTERED:
        print(f"{view.year}: the bureau's entered calendar (it takes precedence over the "
              f"package chinese-calendar {view.package_version})")
    elif view.source == FALLBACK:
        print(f"{view.year}: not known yet: not entered and not in the package chinese-calendar "
              f"{view.package_version}; Monday to Friday count as working days until the "
              "notice is entered (hotline calendar import FILE.csv)")
        if not view.days:
            return 0
    else:
        print(f"{view.year}: the package chinese-calendar {view.package_version} (not entered "
              "by the bureau)")
    for described in view.days:
        print(f"{described.day}\t{described.day.strftime('%a')}\t{KIND_WORDS[described.kind]}\t"
              f"{day_name(described)}\t{source_words(described)}")
    holidays = sum(1 for d in view.days if d.kind == HOLIDAY)
    print(f"{counted(holidays, 'holiday')}, "
          f"{counted(len(view.days) - holidays, 'make-up working day')}")
    return 0
