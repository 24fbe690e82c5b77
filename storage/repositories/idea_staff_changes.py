"""Staff's changes to an idea: a status (with an answer), publishing it, notes, marking a
duplicate, hiding it from the public list and showing it again. Each is one UPDATE whose
WHERE names the state the reviewer saw, so a stale or concurrent press changes nothing (its
`rowcount` says so)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, update

from storage.db import Database
from storage.models import Idea, IdeaEvent, ReminderState, utcnow


class IdeaStaffChanges:
    """Staff's changes of one idea (IdeaRepository.staff_changes)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def change_status(self, idea_id: int, expected: str, status: str,
                            answer: str | None, publish: bool, actor_id: int, *,
                            notify: bool = False) -> bool:
        """Moves the idea from `expected` to `status` (with an answer), published or not;
        `notify`: the author is owed word of it (kept with the change until sent)."""
        now = utcnow()
        values: dict[str, Any] = {"status": status, "staff_answered": True, "updated_at": now}
        if answer is not None:
            values["answer"] = answer
        if publish:
            values["published_status"] = status
            values["published_answer"] = answer if answer is not None else Idea.answer
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(Idea.id == idea_id, Idea.status == expected,
                                   Idea.withdrawn_at.is_(None)).values(values))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="status", status=status, text=answer,
                                  actor_id=actor_id, created_at=now))
            if publish:
                session.add(IdeaEvent(idea_id=idea_id, kind="published", status=status,
                                      actor_id=actor_id, created_at=now,
                                      notice=ReminderState.PENDING if notify else None))
            return True

    async def publish(self, idea_id: int, actor_id: int, *, notify: bool = False) -> bool:
        """Publishes what staff set; False when it is already published (or withdrawn).
        `notify`: the author is owed word of it."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(
                    Idea.id == idea_id, Idea.withdrawn_at.is_(None),
                    or_(Idea.published_status != Idea.status,
                        Idea.published_answer.is_distinct_from(Idea.answer)),
                ).values(published_status=Idea.status, published_answer=Idea.answer,
                         updated_at=now))
            if not result.rowcount:
                return False
            idea = await session.get(Idea, idea_id)
            session.add(IdeaEvent(idea_id=idea_id, kind="published", status=idea.status,
                                  actor_id=actor_id, created_at=now,
                                  notice=ReminderState.PENDING if notify else None))
            return True

    async def add_note(self, idea_id: int, actor_id: int, text: str) -> None:
        async with self._db.session() as session:
            session.add(IdeaEvent(idea_id=idea_id, kind="note", text=text, actor_id=actor_id,
                                  created_at=utcnow()))

    async def mark_duplicate(self, idea_id: int, original_id: int, actor_id: int) -> bool:
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(Idea.id == idea_id, Idea.withdrawn_at.is_(None),
                                   Idea.duplicate_of_id.is_(None))
                .values(duplicate_of_id=original_id, staff_answered=True, updated_at=now))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="duplicate", text=str(original_id),
                                  actor_id=actor_id, created_at=now,
                                  notice=ReminderState.PENDING))  # the author is told
            return True

    async def unhide(self, idea_id: int, actor_id: int) -> bool:
        """Shows a reported idea again; its reporters cannot report it a second time."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(Idea.id == idea_id, Idea.hidden_at.is_not(None))
                .values(hidden_at=None, report_count=0, updated_at=now))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="restored", actor_id=actor_id,
                                  created_at=now))
            return True

    async def hide(self, idea_id: int, actor_id: int) -> bool:
        """Staff take an idea off the public list (reports do the same after enough of them)."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Idea).where(Idea.id == idea_id, Idea.hidden_at.is_(None))
                .values(hidden_at=now, updated_at=now))
            if not result.rowcount:
                return False
            session.add(IdeaEvent(idea_id=idea_id, kind="hidden", actor_id=actor_id,
                                  created_at=now))
            return True
