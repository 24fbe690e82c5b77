"""The review board of the web console: every idea filtered at once, hiding, and the export.

The status changes, answers, notes and duplicates go through IdeaService, as in the bot;
this adds what a page needs beside them: a filtered, paged list and a download.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from services.ideas.export import Header, IdeaExport, local_day_bounds, write_csv, write_xlsx
from storage.models import Idea, utcnow
from storage.repositories.idea_board import VIEWS, BoardQuery, IdeaBoardRepository
from storage.repositories.ideas import IdeaRepository

# The board's views are handed out from here too: the console's board page offers them and
# never imports a repository (tests/test_architecture.py).
__all__ = ["PAGE_SIZE", "TEXT_FILTER_MAX", "VIEWS", "BoardFilter", "BoardPage", "IdeaBoard"]

PAGE_SIZE = 25
TEXT_FILTER_MAX = 100


@dataclass(frozen=True, slots=True)
class BoardFilter:
    """What staff chose above the list (already checked by the page)."""

    view: str = "active"
    status: str | None = None
    street: str | None = None
    community: str | None = None
    first: date | None = None  # local days, both inclusive
    last: date | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class BoardPage:
    ideas: list[Idea]
    number: int  # 1-based
    pages: int
    total: int


class IdeaBoard:
    def __init__(self, board: IdeaBoardRepository, ideas: IdeaRepository, timezone: str) -> None:
        self._board = board
        self._ideas = ideas
        self._zone = ZoneInfo(timezone)

    async def search(self, wanted: BoardFilter, number: int = 1) -> BoardPage:
        assert wanted.view in VIEWS, wanted.view
        since, until = local_day_bounds(wanted.first, wanted.last, self._zone)
        open_statuses = tuple(s.key for s in await self._ideas.statuses() if s.open)
        query = BoardQuery(view=wanted.view, open_statuses=open_statuses, status=wanted.status,
                           street=wanted.street, community=wanted.community, since=since,
                           until=until, text=wanted.text)
        number = max(1, number)
        ideas, total = await self._board.search(query, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if number > pages:
            return await self.search(wanted, pages)
        return BoardPage(ideas, number, pages, total)

    def file_name(self, file_format: str, now: datetime | None = None) -> str:
        """The export's file name, dated by the bureau's day (the machine may run on UTC,
        eight hours behind: a file made at 07:00 in Shanghai is the day's, not yesterday's)."""
        return f"ideas-{(now or utcnow()).astimezone(self._zone).date().isoformat()}.{file_format}"

    async def export_rows(self, status: str | None, first: date | None, last: date | None,
                          locale: str) -> list[list[object]]:
        """The export's rows (the CLI writes them to its own file)."""
        return await IdeaExport(self._ideas, self._zone, locale).rows(status, first, last)

    async def export(self, status: str | None, first: date | None, last: date | None,
                     file_format: str, locale: str, header: Header) -> bytes:
        """The `hotline ideas export` file (csv or xlsx), as bytes for a download."""
        rows = await self.export_rows(status, first, last, locale)
        writer = write_xlsx if file_format == "xlsx" else write_csv
        return await asyncio.to_thread(_written, writer, header, rows, file_format)


def _written(writer: object, header: Header, rows: list[list[object]], suffix: str) -> bytes:
    """The exporters write files (the CLI's output); a temporary one gives the bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"ideas.{suffix}"
        writer(path, header, rows)  # type: ignore[operator]
        return path.read_bytes()
