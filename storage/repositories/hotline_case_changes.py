"""A case's state changes: claim, escalate, close, reopen, transfer, hand over, rate.

Every state change is one UPDATE ... WHERE status = <expected>, checked by rowcount: two
experts pressing Claim at once, or a checker racing a claim, can never both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from storage.db import Database
from storage.models import Case, CaseStatus, utcnow

ACTIVE = (CaseStatus.OFFERED, CaseStatus.OPEN)


class CaseStateChanges:
    """Part of CaseRepository (which provides the database)."""

    _db: Database

    async def claim(self, case_id: int, expert_id: int) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED)
                .values(status=CaseStatus.OPEN, expert_id=expert_id, claimed_at=utcnow(),
                        escalate_at=None))
            return result.rowcount == 1

    async def unclaim(self, case_id: int, expert_id: int) -> bool:
        """Undoes a claim the claimer cannot act on (the bot cannot write to them)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN,
                                   Case.expert_id == expert_id)
                .values(status=CaseStatus.OFFERED, expert_id=None, claimed_at=None))
            return result.rowcount == 1

    async def escalate(self, case_id: int, from_level: int, to_level: int,
                       escalate_at: datetime | None) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED,
                                   Case.escalation_level == from_level)
                .values(escalation_level=to_level, escalate_at=escalate_at))
            return result.rowcount == 1

    async def close(self, case_id: int, closed_by: str) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status.in_(ACTIVE))
                .values(status=CaseStatus.CLOSED, closed_at=utcnow(), closed_by=closed_by,
                        escalate_at=None))
            return result.rowcount == 1

    async def reopen(self, case_id: int, closed_since: datetime) -> bool:
        """Back to the same expert, if it was closed after `closed_since` and had one."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.CLOSED,
                                   Case.expert_id.is_not(None), Case.closed_at >= closed_since)
                .values(status=CaseStatus.OPEN, closed_at=None, closed_by=None, rating=None,
                        rating_comment=None))
            return result.rowcount == 1

    async def transfer(self, case_id: int, expert_id: int, category: str,
                       escalate_at: datetime | None) -> bool:
        """Back to waiting for a claim, in another category; only its current expert may."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN,
                                   Case.expert_id == expert_id)
                .values(status=CaseStatus.OFFERED, category=category, expert_id=None,
                        escalation_level=0, escalate_at=escalate_at, expert_anchor_id=None))
            return result.rowcount == 1

    async def reassign(self, case_id: int, expert_id: int) -> bool:
        """Staff take-over: the case stays open, with a new expert."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN)
                .values(expert_id=expert_id, expert_anchor_id=None))
            return result.rowcount == 1

    async def rate(self, case_id: int, asker_id: int, stars: int) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.asker_id == asker_id,
                                   Case.status == CaseStatus.CLOSED, Case.rating.is_(None))
                .values(rating=stars))
            return result.rowcount == 1

    async def comment(self, case_id: int, asker_id: int, text: str) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.asker_id == asker_id,
                                   Case.status == CaseStatus.CLOSED)
                .values(rating_comment=text))
            return result.rowcount == 1

    async def set_fields(self, case_id: int, **values: object) -> None:
        """Bookkeeping that races nothing: anchors, the staff topic."""
        async with self._db.session() as session:
            await session.execute(update(Case).where(Case.id == case_id).values(**values))

    async def mark_first_answer(self, case_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(update(Case).where(
                Case.id == case_id, Case.first_answer_at.is_(None)).values(
                    first_answer_at=utcnow()))
