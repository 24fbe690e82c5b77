"""`hotline ideas export`: ideas with their places, status history, supports and answers.

CSV is written as UTF-8 with a byte-order mark, which is what makes Excel read Chinese text
correctly; the xlsx (openpyxl) has one typed column per field. Contact details appear only
where the author agreed to be contacted (otherwise none were stored), the author's name only
where they agreed to be named.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from storage.models import IdeaStatus
from storage.repositories.ideas import ExportedIdea, IdeaRepository
from storage.timestamps import as_utc

# Column names; their headers are the catalogue texts ideas.export.<name>.
EXPORT_COLUMNS = (
    "reference", "submitted_at", "title", "problem", "solution", "street", "community",
    "status", "status_history", "supports", "reports", "answers", "contact", "author",
    "withdrawn", "duplicate_of",
)
# Wide columns for the long texts, in characters.
_WIDTHS = {"problem": 50, "solution": 50, "status_history": 40, "answers": 50, "title": 30}
FORMATS = ("csv", "xlsx")

Header = Callable[[str], str]


def local_day_bounds(first: date | None, last: date | None,
                     zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """[first 00:00, the day after last 00:00) in local time, as UTC instants."""
    since = (datetime.combine(first, time(), zone).astimezone(UTC) if first else None)
    until = (datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
             if last else None)
    return since, until


class IdeaExport:
    def __init__(self, ideas: IdeaRepository, zone: ZoneInfo, locale: str) -> None:
        self._ideas = ideas
        self._zone = zone
        self._locale = locale

    async def rows(self, status: str | None, first: date | None,
                   last: date | None) -> list[list[object]]:
        since, until = local_day_bounds(first, last, self._zone)
        statuses = {s.key: s for s in await self._ideas.statuses()}
        found = await self._ideas.reading.export(status, since, until)
        references = {e.idea.id: e.idea.reference for e in found}
        missing = {e.idea.duplicate_of_id for e in found} - references.keys() - {None}
        for idea_id in missing:
            original = await self._ideas.get(idea_id)
            if original is not None:
                references[idea_id] = original.reference
        return [self._row(e, statuses, references) for e in found]

    def _name(self, statuses: dict[str, IdeaStatus], key: str | None) -> str:
        status = statuses.get(key or "")
        if status is None:
            return key or ""
        return status.name_en if self._locale == "en" else status.name_zh

    def _when(self, moment: datetime) -> str:
        return as_utc(moment).astimezone(self._zone).strftime("%Y-%m-%d %H:%M")

    def _row(self, exported: ExportedIdea, statuses: dict[str, IdeaStatus],
             references: dict[int, str]) -> list[object]:
        idea = exported.idea
        changes = [e for e in exported.events if e.kind == "status"]
        history = "; ".join(f"{self._when(e.created_at)} {self._name(statuses, e.status)}"
                            for e in changes)
        answers = "\n".join(f"{self._when(e.created_at)} {e.text}" for e in changes if e.text)
        values = {
            "reference": idea.reference,
            "submitted_at": self._when(idea.created_at),
            "title": idea.title,
            "problem": idea.problem,
            "solution": idea.solution,
            "street": idea.street,
            "community": idea.community,
            "status": self._name(statuses, idea.status),
            "status_history": history,
            "supports": idea.support_count,
            "reports": idea.report_count,
            "answers": answers,
            "contact": idea.contact or "",
            "author": exported.author_first_name or "",
            "withdrawn": self._when(idea.withdrawn_at) if idea.withdrawn_at else "",
            "duplicate_of": references.get(idea.duplicate_of_id or 0, ""),
        }
        return [values[column] for column in EXPORT_COLUMNS]


def write_csv(path: Path, header: Header, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([header(column) for column in EXPORT_COLUMNS])
        # A leading "=" would make Excel evaluate resident text as a formula.
        writer.writerows([[f"'{v}" if isinstance(v, str) and v.startswith("=") else v
                           for v in row] for row in rows])


def write_xlsx(path: Path, header: Header, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "ideas"
    sheet.append([header(column) for column in EXPORT_COLUMNS])
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # resident text, never a formula Excel would evaluate
    sheet.freeze_panes = "A2"
    for index, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 16)
    book.save(path)
