"""The announcements staff published, newest first, each with its delivery report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.announcements.broadcasts import CAMPAIGN_KIND
from services.delivery.protocol import Progress
from storage.repositories.announcement_history import AnnouncementHistoryRepository
from storage.repositories.announcements import AnnouncementRecord
from storage.repositories.outbox import BLOCKED, CANCELLED, CLAIMED, FAILED, PENDING, SENT

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    record: AnnouncementRecord
    report: Progress  # its rate is 0: a history shows totals, the live page shows the rate


@dataclass(frozen=True, slots=True)
class HistoryPage:
    entries: list[HistoryEntry]
    number: int  # 1-based
    pages: int
    total: int


def report_of(counts: dict[str, int]) -> Progress:
    """Outbox rows per state as the delivery report the engine would give (rate aside)."""
    return Progress(sent=counts.get(SENT, 0), blocked=counts.get(BLOCKED, 0),
                    failed=counts.get(FAILED, 0),
                    remaining=counts.get(PENDING, 0) + counts.get(CLAIMED, 0),
                    cancelled=counts.get(CANCELLED, 0), rate=0.0)


class AnnouncementHistory:
    def __init__(self, repository: AnnouncementHistoryRepository,
                 page_size: int = PAGE_SIZE) -> None:
        self._repo = repository
        self.page_size = page_size

    async def page(self, number: int, states: Sequence[str] = ()) -> HistoryPage:
        """Page `number` (1-based; past the end gives the last page)."""
        number = max(1, number)
        records, total = await self._repo.page((number - 1) * self.page_size, self.page_size,
                                               states)
        pages = max(1, -(-total // self.page_size))
        if number > pages:
            return await self.page(pages, states)
        counts = await self._repo.outbox_counts(CAMPAIGN_KIND, [r.id for r in records])
        entries = [HistoryEntry(r, report_of(counts.get(r.id, {}))) for r in records]
        return HistoryPage(entries, number, pages, total)
