"""Ideas: reference numbers, the review lifecycle, supports and reports.

Every state change is one UPDATE whose WHERE names the state it expects (not withdrawn, still
in the status the reviewer saw, still inside the edit window): a stale or concurrent request
changes nothing and its caller learns so from `rowcount`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from storage.db import Database
from storage.models import (
    Idea,
    IdeaEvent,
    IdeaReport,
    IdeaSequence,
    IdeaStaffTopic,
    IdeaStatus,
    IdeaSupport,
    utcnow,
)
from storage.repositories.idea_notices import IdeaNoticeRepository
from storage.repositories.idea_reading import ExportedIdea, IdeaReading, PublicIdea
from storage.repositories.idea_review_panels import IdeaReviewPanels
from storage.repositories.idea_staff_changes import IdeaStaffChanges
from storage.upsert import insert_ignoring_conflicts

# Imported from here by the ideas service, its export and the handlers.
__all__ = ["EDITABLE_FIELDS", "ExportedIdea", "IdeaRepository", "PublicIdea"]

# The fields an author may still change inside the edit window.
EDITABLE_FIELDS = ("title", "problem", "solution")


class IdeaRepository:
    """Statuses, one idea by id, submitting, the author's and the public's changes, the staff
    topic. Its collaborators, each with one job and the same database: `reading` (lists and
    look-ups, idea_reading.py), `staff_changes` (idea_staff_changes.py), `notices` (the word
    owed to authors, idea_notices.py) and `review_panels` (the reviewers' live cards,
    idea_review_panels.py)."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self.reading = IdeaReading(database)
        self.staff_changes = IdeaStaffChanges(database)
        self.notices = IdeaNoticeRepository(database)
        self.review_panels = IdeaReviewPanels(database)

    async def get(self, idea_id: int) -> Idea | None:
        async with self._db.session() as session:
            return await session.get(Idea, idea_id)

    # ------------------------------------------------------------------ statuses

    async def statuses(self) -> list[IdeaStatus]:
        async with self._db.session() as session:
            rows = await session.execute(select(IdeaStatus).order_by(IdeaStatus.position))
            return list(rows.scalars().all())

    async def save_status(self, status: IdeaStatus) -> None:
        async with self._db.session() as session:
            await session.merge(status)

    # ------------------------------------------------------------------ submitting

    async def count_submitted_since(self, author_id: int, since: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                select(func.count()).select_from(Idea).where(
                    Idea.author_id == author_id, Idea.created_at >= since))
            return int(result.scalar_one())

    async def create(self, year: int, fields: dict[str, Any], status: str,
                     edit_until: datetime) -> Idea:
        """Saves the idea with the next reference number of `year`, in one transaction."""
        async with self._db.session() as session:
            await session.execute(insert_ignoring_conflicts(
                session, IdeaSequence, [{"year": year, "last_number": 0}]))
            # One UPDATE ... RETURNING: two submissions at once never get the same number.
            number = (await session.execute(
                update(IdeaSequence).where(IdeaSequence.year == year)
                .values(last_number=IdeaSequence.last_number + 1)
                .returning(IdeaSequence.last_number))).scalar_one()
            now = utcnow()
            idea = Idea(reference=f"I-{year}-{number:04d}", status=status,
                        published_status=status, created_at=now, updated_at=now,
                        edit_until=edit_until, **fields)
            session.add(idea)
            await session.flush()
            session.add(IdeaEvent(idea_id=idea.id, kind="status", status=status,
                                  actor_id=idea.author_id, created_at=now))
            return idea

    # ------------------------------------------------------------------ the author's changes

    async def edit(self, idea_id: int, author_id: int, field: str, value: str,
                   now: datetime) -> bool:
        assert field in EDITABLE_FIELDS
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(
                    Idea.id == idea_id, Idea.author_id == author_id,
                    Idea.withdrawn_at.is_(None), Idea.staff_answered.is_(False),
                    Idea.edit_until > now,
                ).values({field: value, "updated_at": now}))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="edited", text=field,
                                  actor_id=author_id, created_at=now))
            return True

    async def withdraw(self, idea_id: int, author_id: int,
                       withdrawable: Collection[str]) -> bool:
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(
                    Idea.id == idea_id, Idea.author_id == author_id,
                    Idea.withdrawn_at.is_(None), Idea.published_status.in_(list(withdrawable)),
                ).values(withdrawn_at=now, updated_at=now))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="withdrawn", actor_id=author_id,
                                  created_at=now))
            return True

    # ------------------------------------------------------------------ the public's part

    async def support(self, idea_id: int, telegram_id: int) -> tuple[bool, int]:
        """Counts one support per person; returns whether this one counted, and the total."""
        async with self._db.session() as session:
            added = (await session.execute(insert_ignoring_conflicts(
                session, IdeaSupport,
                [{"idea_id": idea_id, "telegram_id": telegram_id, "created_at": utcnow()}],
            ))).rowcount
            if added:
                await session.execute(update(Idea).where(Idea.id == idea_id)
                                      .values(support_count=Idea.support_count + 1))
            count = (await session.execute(
                select(Idea.support_count).where(Idea.id == idea_id))).scalar_one()
            return bool(added), int(count)

    async def report(self, idea_id: int, telegram_id: int, reason: str,
                     hide_after: int) -> tuple[bool, bool]:
        """Counts one report per person; returns whether it counted and whether it hid it."""
        now = utcnow()
        async with self._db.session() as session:
            added = (await session.execute(insert_ignoring_conflicts(
                session, IdeaReport,
                [{"idea_id": idea_id, "telegram_id": telegram_id, "reason": reason,
                  "created_at": now}],
            ))).rowcount
            if not added:
                return False, False
            await session.execute(update(Idea).where(Idea.id == idea_id)
                                  .values(report_count=Idea.report_count + 1))
            hidden = (await session.execute(
                update(Idea).where(Idea.id == idea_id, Idea.hidden_at.is_(None),
                                   Idea.report_count >= hide_after)
                .values(hidden_at=now))).rowcount
            if hidden:
                session.add(IdeaEvent(idea_id=idea_id, kind="hidden", created_at=now))
            return True, bool(hidden)

    # ------------------------------------------------------------------ staff group topic

    async def erase_author_details(self, author_id: int) -> int:
        """/forget: the ideas stay (staff must keep them), the contact and consent go."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(Idea.author_id == author_id).values(contact=None,
                                                                        show_name=False))
            return int(result.rowcount or 0)

    async def staff_topic(self, chat_id: int) -> int | None:
        async with self._db.session() as session:
            topic = await session.get(IdeaStaffTopic, chat_id)
            return topic.thread_id if topic else None

    async def save_staff_topic(self, chat_id: int, thread_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(delete(IdeaStaffTopic)
                                  .where(IdeaStaffTopic.chat_id == chat_id))
            session.add(IdeaStaffTopic(chat_id=chat_id, thread_id=thread_id,
                                       created_at=utcnow()))
