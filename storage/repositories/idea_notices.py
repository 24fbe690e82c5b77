"""The word each idea author is owed of a staff decision (IdeaEvent.notice), kept until it is
sent or can never be: claimed by one process before sending, so two bots never both send
it, and a process that dies mid-send leaves a claim that lapses and is taken again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update

from storage.db import Database
from storage.models import Idea, IdeaEvent, ReminderState
from storage.timestamps import as_utc


@dataclass(frozen=True, slots=True)
class OwedNotice:
    event_id: int
    idea_id: int
    author_id: int
    kind: str  # "published" (the new status and answer) or "duplicate"
    status: str | None
    original_id: int | None  # a duplicate's original
    created_at: datetime


def _waiting(stale_before: datetime) -> ColumnElement[bool]:
    """Pending, or claimed by a process that has not finished since `stale_before`."""
    return or_(IdeaEvent.notice == ReminderState.PENDING,
               and_(IdeaEvent.notice == ReminderState.CLAIMED,
                    IdeaEvent.notice_claimed_at < stale_before))


class IdeaNoticeRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def owed(self, limit: int, stale_before: datetime,
                   idea_id: int | None = None) -> list[OwedNotice]:
        """Pending notices (and those whose claim lapsed before `stale_before`), oldest
        first; of one idea only with `idea_id`."""
        statement = (select(IdeaEvent, Idea.author_id)
                     .join(Idea, Idea.id == IdeaEvent.idea_id)
                     .where(_waiting(stale_before)).order_by(IdeaEvent.id).limit(limit))
        if idea_id is not None:
            statement = statement.where(IdeaEvent.idea_id == idea_id)
        async with self._db.session() as session:
            rows = (await session.execute(statement)).all()
        return [OwedNotice(event.id, event.idea_id, author_id, event.kind, event.status,
                           int(event.text) if event.kind == "duplicate" and event.text
                           else None, as_utc(event.created_at))
                for event, author_id in rows]

    async def claim(self, event_id: int, now: datetime, stale_before: datetime) -> bool:
        """Takes the notice for this process; False when another process has it (or it was
        sent meanwhile)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(IdeaEvent).where(IdeaEvent.id == event_id, _waiting(stale_before))
                .values(notice=ReminderState.CLAIMED, notice_claimed_at=now))
            return bool(result.rowcount)

    async def finish(self, event_id: int, state: str) -> None:
        """sent, dropped or failed; or pending again, for the next check."""
        async with self._db.session() as session:
            await session.execute(update(IdeaEvent).where(IdeaEvent.id == event_id)
                                  .values(notice=state, notice_claimed_at=None))
