"""The registrant list for staff, in the viewer's language: CSV (UTF-8 with a BOM, so Excel
shows Chinese) or XLSX with a header filter.

Everyone who holds or waits for a place, and everyone who attended a session and cancelled
later (status "cancelled"): attendance is history and stays in the export."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from services.spreadsheets import table
from storage.models import RegistrationStatus
from storage.repositories.trainings import CourseInfo, Registrant

# Headers are the catalogue texts records.trainings.<column>.
COLUMNS = ("telegram_id", "name", "username", "status", "registered_at", "attended_sessions",
           "absent_sessions")
_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED,
             RegistrationStatus.CANCELLED)
# Every text an export uses, for the catalogue completeness test.
TEXT_KEYS = frozenset({f"records.trainings.{c}" for c in COLUMNS}
                      | {f"records.registration.{s}" for s in _STATUSES}
                      | {"records.trainings.sheet"})
Text = Callable[[str], str]


def _rows(people: list[Registrant], zone: ZoneInfo, text: Text) -> list[list[object]]:
    return [
        [person.telegram_id, person.name, person.username or "",
         text(f"records.registration.{person.status}") if person.status in _STATUSES
         else person.status,
         # Local wall-clock time without a zone: a spreadsheet shows it as a date.
         person.requested_at.astimezone(zone).replace(tzinfo=None, microsecond=0),
         ",".join(str(n) for n in person.attended_sessions),
         ",".join(str(n) for n in person.absent_sessions)]
        for person in people
    ]


def registrants_table(kind: str, course: CourseInfo, people: list[Registrant], zone: ZoneInfo,
                      text: Text) -> bytes:
    headers = [text(f"records.trainings.{column}") for column in COLUMNS]
    title = text("records.trainings.sheet") + f" {course.id}"
    return table(kind, title, headers, _rows(people, zone, text))
