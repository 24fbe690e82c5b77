"""The registrant list for staff: CSV (UTF-8 with a BOM, so Excel shows Chinese) or XLSX.

Everyone who holds or waits for a place, and everyone who attended a session and cancelled
later (status "cancelled"): attendance is history and stays in the export."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from storage.repositories.trainings import CourseInfo, Registrant

COLUMNS = ("telegram_id", "name", "username", "status", "registered_at", "attended_sessions",
           "absent_sessions")


def _cell(value: object) -> object:
    # A name starting with "=" must stay text in a spreadsheet, never become a formula.
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _rows(course: CourseInfo, people: list[Registrant], zone: ZoneInfo) -> list[list[object]]:
    return [
        [_cell(v) for v in (
            person.telegram_id, person.name, person.username or "", person.status,
            person.requested_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            ",".join(str(n) for n in person.attended_sessions),
            ",".join(str(n) for n in person.absent_sessions))]
        for person in people
    ]


def registrants_csv(course: CourseInfo, people: list[Registrant], zone: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_rows(course, people, zone))
    return buffer.getvalue().encode("utf-8-sig")


def registrants_xlsx(course: CourseInfo, people: list[Registrant], zone: ZoneInfo) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"course {course.id}"
    sheet.append(list(COLUMNS))
    for row in _rows(course, people, zone):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
