"""The ideas review board of the web console: every idea, filtered, and staff hiding one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from storage.db import Database
from storage.models import Idea

# Which ideas a board view shows, beside the other filters.
VIEWS = ("active", "open", "hidden", "duplicates", "withdrawn", "all")


@dataclass(frozen=True, slots=True)
class BoardQuery:
    view: str = "active"
    open_statuses: tuple[str, ...] = ()  # what "open" means: the statuses awaiting review
    status: str | None = None
    street: str | None = None
    community: str | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive
    text: str | None = None


def _where(query: BoardQuery) -> list:
    where: list = []
    if query.view == "active":
        where += [Idea.withdrawn_at.is_(None), Idea.duplicate_of_id.is_(None)]
    elif query.view == "open":
        where += [Idea.withdrawn_at.is_(None), Idea.duplicate_of_id.is_(None),
                  or_(Idea.status.in_(list(query.open_statuses)), Idea.hidden_at.is_not(None))]
    elif query.view == "hidden":
        where.append(Idea.hidden_at.is_not(None))
    elif query.view == "duplicates":
        where.append(Idea.duplicate_of_id.is_not(None))
    elif query.view == "withdrawn":
        where.append(Idea.withdrawn_at.is_not(None))
    if query.status:
        where.append(Idea.status == query.status)
    if query.street:
        where.append(Idea.street == query.street)
    if query.community:
        where.append(Idea.community == query.community)
    if query.since is not None:
        where.append(Idea.created_at >= query.since)
    if query.until is not None:
        where.append(Idea.created_at < query.until)
    if query.text:
        # autoescape: a typed % or _ is a character, not a wildcard.
        where.append(or_(*(column.contains(query.text, autoescape=True) for column in (
            Idea.reference, Idea.title, Idea.problem, Idea.solution))))
    return where


class IdeaBoardRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def search(self, query: BoardQuery, offset: int,
                     limit: int) -> tuple[list[Idea], int]:
        """Oldest first (the order of the review queue); and how many match in all."""
        where = _where(query)
        async with self._db.session() as session:
            rows = await session.execute(select(Idea).where(*where).order_by(Idea.id)
                                         .offset(offset).limit(limit))
            total = (await session.execute(
                select(func.count()).select_from(Idea).where(*where))).scalar_one()
            return list(rows.scalars().all()), int(total)
