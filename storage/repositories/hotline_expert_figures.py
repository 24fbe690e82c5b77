"""What /mystats reads about one expert for a period: the claims they made, the cases they
answered or closed, and the ratings their cases were given (bounds are UTC, [first, last))."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from storage.db import Database
from storage.models import Case, CaseClaim, CaseRating


class ExpertFiguresRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claims_by(self, expert_id: int, first: datetime,
                        last: datetime) -> list[CaseClaim]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseClaim).where(
                CaseClaim.expert_id == expert_id, CaseClaim.claimed_at >= first,
                CaseClaim.claimed_at < last).order_by(CaseClaim.id))
            return list(rows.scalars())

    async def cases_answered_or_closed(self, expert_id: int, first: datetime,
                                       last: datetime) -> list[Case]:
        """The expert's cases first answered or closed in the period."""
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.expert_id == expert_id,
                or_(and_(Case.first_answer_at >= first, Case.first_answer_at < last),
                    and_(Case.closed_at >= first, Case.closed_at < last))).order_by(Case.id))
            return list(rows.scalars())

    async def ratings_of(self, expert_id: int, first: datetime,
                         last: datetime) -> list[CaseRating]:
        """Ratings given in the period to cases the expert holds, newest first."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(CaseRating).join(Case, Case.id == CaseRating.case_id).where(
                    Case.expert_id == expert_id, CaseRating.created_at >= first,
                    CaseRating.created_at < last)
                .order_by(CaseRating.created_at.desc(), CaseRating.id.desc()))
            return list(rows.scalars())
