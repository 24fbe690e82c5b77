"""Reading ideas: by id, reference and author, the staff queue, the public list, the
history, and the export with each idea's events."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from storage.db import Database
from storage.models import Idea, IdeaEvent, User


@dataclass(frozen=True, slots=True)
class PublicIdea:
    idea: Idea
    author_first_name: str | None  # None unless the author agreed to be named


@dataclass(frozen=True, slots=True)
class ExportedIdea:
    idea: Idea
    author_first_name: str | None
    events: list[IdeaEvent]


class IdeaReading:
    """Lists and look-ups of ideas (IdeaRepository.reading): everything but the one idea by id."""

    def __init__(self, database: Database) -> None:
        self._db = database

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
