"""Ideas: reference numbers, the review lifecycle, supports and reports.

Every state change is one UPDATE whose WHERE names the state it expects (not withdrawn, still
in the status the reviewer saw, still inside the edit window): a stale or concurrent request
changes nothing and its caller learns so from `rowcount`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from storage.db import Database
from storage.models import (
    Idea,
    IdeaEvent,
    IdeaReport,
    IdeaSequence,
    IdeaStaffTopic,
    IdeaStatus,
    IdeaSupport,
    User,
    utcnow,
)
from storage.upsert import insert_ignoring_conflicts

# The fields an author may still change inside the edit window.
EDITABLE_FIELDS = ("title", "problem", "solution")


@dataclass(frozen=True, slots=True)
class PublicIdea:
    idea: Idea
    author_first_name: str | None  # None unless the author agreed to be named


@dataclass(frozen=True, slots=True)
class ExportedIdea:
    idea: Idea
    author_first_name: str | None
    events: list[IdeaEvent]


class IdeaRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

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

    # ------------------------------------------------------------------ reading

    async def get(self, idea_id: int) -> Idea | None:
        async with self._db.session() as session:
            return await session.get(Idea, idea_id)

    async def get_by_reference(self, reference: str) -> Idea | None:
        async with self._db.session() as session:
            rows = await session.execute(select(Idea).where(Idea.reference == reference))
            return rows.scalars().first()

    async def by_author(self, author_id: int, limit: int) -> list[Idea]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Idea).where(Idea.author_id == author_id)
                .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit))
            return list(rows.scalars().all())

    async def queue(self, statuses: Collection[str], street: str | None, after_id: int,
                    limit: int) -> list[Idea]:
        """Ideas awaiting staff, oldest first: in `statuses` or hidden by reports."""
        async with self._db.session() as session:
            query = select(Idea).where(
                Idea.withdrawn_at.is_(None), Idea.duplicate_of_id.is_(None),
                or_(Idea.status.in_(list(statuses)), Idea.hidden_at.is_not(None)),
                Idea.id > after_id,
            )
            if street is not None:
                query = query.where(Idea.street == street)
            rows = await session.execute(query.order_by(Idea.id).limit(limit))
            return list(rows.scalars().all())

    async def public(self, statuses: Collection[str], offset: int, limit: int) -> list[PublicIdea]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Idea, User.first_name).join(User, User.telegram_id == Idea.author_id)
                .where(Idea.published_status.in_(list(statuses)), Idea.hidden_at.is_(None),
                       Idea.withdrawn_at.is_(None), Idea.duplicate_of_id.is_(None))
                .order_by(Idea.id.desc()).offset(offset).limit(limit))
            return [PublicIdea(idea, name if idea.show_name else None) for idea, name in rows]

    async def author_first_name(self, idea: Idea) -> str | None:
        if not idea.show_name:
            return None
        async with self._db.session() as session:
            user = await session.get(User, idea.author_id)
            return user.first_name if user else None

    async def events(self, idea_id: int) -> list[IdeaEvent]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id))
            return list(rows.scalars().all())

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

    # ------------------------------------------------------------------ staff's changes

    async def change_status(self, idea_id: int, expected: str, status: str,
                            answer: str | None, publish: bool, actor_id: int) -> bool:
        """Moves the idea from `expected` to `status` (with an answer), published or not."""
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
                                      actor_id=actor_id, created_at=now))
            return True

    async def publish(self, idea_id: int, actor_id: int) -> bool:
        """Publishes what staff set; False when it is already published (or withdrawn)."""
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
                                  actor_id=actor_id, created_at=now))
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
                                  actor_id=actor_id, created_at=now))
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

    # ------------------------------------------------------------------ export

    async def export(self, status: str | None, since: datetime | None,
                     until: datetime | None) -> list[ExportedIdea]:
        async with self._db.session() as session:
            query = select(Idea, User.first_name).join(
                User, User.telegram_id == Idea.author_id)
            if status is not None:
                query = query.where(Idea.status == status)
            if since is not None:
                query = query.where(Idea.created_at >= since)
            if until is not None:
                query = query.where(Idea.created_at < until)
            rows = (await session.execute(query.order_by(Idea.id))).all()
            ids = [idea.id for idea, _ in rows]
            events = (await session.execute(
                select(IdeaEvent).where(IdeaEvent.idea_id.in_(ids))
                .order_by(IdeaEvent.id))).scalars().all()
            by_idea: dict[int, list[IdeaEvent]] = {}
            for event in events:
                by_idea.setdefault(event.idea_id, []).append(event)
            return [ExportedIdea(idea, name if idea.show_name else None,
                                 by_idea.get(idea.id, [])) for idea, name in rows]
