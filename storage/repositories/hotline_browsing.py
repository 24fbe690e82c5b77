"""Read-only queries the staff console needs on hotline data: cases found by filters, a
page at a time, with their message counts, and a single roster override by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from storage.db import Database
from storage.models import Case, CaseMessage, CaseOffer, CaseStatus, RosterOverride
from storage.repositories.hotline_roster import OverrideRow


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Filters of the case list; None means "any". Times are UTC, `last` exclusive."""

    category: str | None = None
    expert_id: int | None = None
    status: str | None = None
    first: datetime | None = None
    last: datetime | None = None
    number: str | None = None
    # An expert's view: only the cases they hold and those still offered to them.
    visible_to: int | None = None


@dataclass(frozen=True, slots=True)
class CaseListRow:
    case: Case
    messages: int  # originals only: an edit is not another message


class HotlineBrowsingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def search_cases(self, query: CaseQuery, offset: int,
                           limit: int) -> tuple[list[CaseListRow], int]:
        """The page of cases matching the query, newest first, and how many match in all."""
        conditions = []
        if query.category is not None:
            conditions.append(Case.category == query.category)
        if query.expert_id is not None:
            conditions.append(Case.expert_id == query.expert_id)
        if query.status is not None:
            conditions.append(Case.status == query.status)
        if query.first is not None:
            conditions.append(Case.created_at >= query.first)
        if query.last is not None:
            conditions.append(Case.created_at < query.last)
        if query.number is not None:
            conditions.append(Case.number.contains(query.number.upper(), autoescape=True))
        if query.visible_to is not None:
            conditions.append(or_(Case.expert_id == query.visible_to, and_(
                Case.status == CaseStatus.OFFERED,
                exists().where(CaseOffer.case_id == Case.id,
                               CaseOffer.expert_id == query.visible_to))))
        async with self._db.session() as session:
            total = (await session.execute(
                select(func.count()).select_from(Case).where(*conditions))).scalar_one()
            cases = (await session.execute(
                select(Case).where(*conditions).order_by(Case.id.desc())
                .offset(offset).limit(limit))).scalars().all()
            # Messages counted for this page's cases only: grouping every message of every
            # case first was most of the page's time with 30,000 cases (make bench).
            counts = dict((await session.execute(
                select(CaseMessage.case_id, func.count())
                .where(CaseMessage.case_id.in_([c.id for c in cases]),
                       CaseMessage.version == 0)
                .group_by(CaseMessage.case_id))).all()) if cases else {}
            return [CaseListRow(case, int(counts.get(case.id, 0))) for case in cases], int(total)

    async def active_cases(self, *, category: str | None, status: str | None,
                           expert_id: int | None, visible_to: int | None,
                           limit: int, offset: int = 0) -> list[Case]:
        """Cases not closed (offered or open), longest waiting first, for the live inbox."""
        conditions = _active_conditions(category, status, expert_id, visible_to)
        waiting = func.coalesce(Case.waiting_since, Case.created_at)
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(*conditions)
                                         .order_by(waiting, Case.id)
                                         .offset(offset).limit(limit))
            return list(rows.scalars())

    async def count_active_cases(self, *, category: str | None, status: str | None,
                                 expert_id: int | None, visible_to: int | None) -> int:
        """How many cases `active_cases` would list without a limit."""
        conditions = _active_conditions(category, status, expert_id, visible_to)
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.count()).select_from(Case).where(*conditions))).scalar_one())

    async def override(self, override_id: int) -> OverrideRow | None:
        async with self._db.session() as session:
            row = await session.get(RosterOverride, override_id)
            if row is None:
                return None
            return OverrideRow(row.id, row.day, row.telegram_id, row.kind,
                               tuple(p for p in (row.categories or "").split(";") if p),
                               row.start, row.end)


def _active_conditions(category: str | None, status: str | None, expert_id: int | None,
                       visible_to: int | None) -> list:
    conditions = [Case.status != CaseStatus.CLOSED]
    if category is not None:
        conditions.append(Case.category == category)
    if status is not None:
        conditions.append(Case.status == status)
    if expert_id is not None:
        conditions.append(Case.expert_id == expert_id)
    if visible_to is not None:
        conditions.append(or_(Case.expert_id == visible_to, and_(
            Case.status == CaseStatus.OFFERED,
            exists().where(CaseOffer.case_id == Case.id, CaseOffer.expert_id == visible_to))))
    return conditions
