"""A case's past: every rating given (one per closing), the claims with the category each was
made in, and the copies the bot sent about a case beyond the relay's own (so a reply to any
of them routes by reply)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from storage.db import Database
from storage.models import (
    Case,
    CaseClaim,
    CaseCopy,
    CaseMessage,
    CaseRating,
    CaseStatus,
    utcnow,
)
from storage.upsert import insert_ignoring_conflicts


class CaseHistory:
    def __init__(self, database: Database) -> None:
        self._db = database

    # ------------------------------------------------------------------ ratings

    async def rate(self, case_id: int, asker_id: int, stars: int) -> bool:
        """Rates the case's latest closing, once; the case row keeps the latest rating."""
        async with self._db.session() as session:
            case = await session.get(Case, case_id)
            if (case is None or case.asker_id != asker_id or case.status != CaseStatus.CLOSED
                    or case.closed_at is None):
                return False
            result = await session.execute(insert_ignoring_conflicts(session, CaseRating, [{
                "case_id": case_id, "asker_id": asker_id, "stars": stars,
                "closed_at": case.closed_at, "created_at": utcnow(), "notice": "stars",
                "notice_told": "", "notice_due": utcnow()}]))
            if not result.rowcount:
                return False
            await session.execute(update(Case).where(Case.id == case_id)
                                  .values(rating=stars, rating_comment=None))
            return True

    async def comment(self, case_id: int, asker_id: int, text: str) -> bool:
        """The comment goes with the latest rating (and is the case's latest comment)."""
        async with self._db.session() as session:
            latest = (await session.execute(select(CaseRating).where(
                CaseRating.case_id == case_id, CaseRating.asker_id == asker_id)
                .order_by(CaseRating.id.desc()).limit(1))).scalar_one_or_none()
            if latest is None:
                return False
            latest.comment = text
            # The comment is a new word for the expert (and staff, for a low rating).
            latest.notice, latest.notice_told, latest.notice_due = "comment", "", utcnow()
            await session.execute(update(Case).where(Case.id == case_id)
                                  .values(rating_comment=text))
            return True

    async def ratings_owing(self, now: datetime, limit: int = 100) -> list[CaseRating]:
        """Ratings whose notices are due by `now`, oldest first."""
        async with self._db.session() as session:
            rows = await session.execute(select(CaseRating).where(
                CaseRating.notice.is_not(None), CaseRating.notice_due <= now)
                .order_by(CaseRating.notice_due).limit(limit))
            return list(rows.scalars())

    async def lease_rating_notice(self, rating_id: int, due: datetime,
                                  until: datetime) -> bool:
        """Takes the sending of a rating's notice due since `due`: one sender of two."""
        async with self._db.session() as session:
            result = await session.execute(update(CaseRating).where(
                CaseRating.id == rating_id, CaseRating.notice.is_not(None),
                CaseRating.notice_due == due).values(notice_due=until))
            return result.rowcount == 1

    async def settle_rating_notice(self, rating_id: int, lease: datetime, told: str,
                                   due: datetime | None) -> None:
        """After a send under `lease`: who has been told, and from when the rest is due
        again (None: nothing left). A comment arriving meanwhile moved the lease: its own
        notice stands, untouched."""
        values: dict[str, object] = {"notice_told": told, "notice_due": due}
        if due is None:
            values["notice"] = None
        async with self._db.session() as session:
            await session.execute(update(CaseRating).where(
                CaseRating.id == rating_id, CaseRating.notice_due == lease).values(**values))

    async def ratings(self, case_id: int) -> list[CaseRating]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseRating).where(
                CaseRating.case_id == case_id).order_by(CaseRating.id))
            return list(rows.scalars())

    async def rating_of_closing(self, case: Case) -> CaseRating | None:
        if case.closed_at is None:
            return None
        async with self._db.session() as session:
            return (await session.execute(select(CaseRating).where(
                CaseRating.case_id == case.id,
                CaseRating.closed_at == case.closed_at))).scalar_one_or_none()

    # ------------------------------------------------------------------ claims

    async def claims_of(self, case_ids: list[int]) -> list[CaseClaim]:
        if not case_ids:
            return []
        async with self._db.session() as session:
            rows = await session.execute(select(CaseClaim).where(
                CaseClaim.case_id.in_(case_ids)).order_by(CaseClaim.id))
            return list(rows.scalars())

    # ------------------------------------------------------------------ copies

    async def add_copy(self, case_id: int, chat_id: int, message_id: int,
                       message_row_id: int | None = None) -> None:
        async with self._db.session() as session:
            session.add(CaseCopy(case_id=case_id, chat_id=chat_id, message_id=message_id,
                                 message_row_id=message_row_id))

    async def copied_message(self, case_id: int, chat_id: int,
                             message_id: int) -> CaseMessage | None:
        """The transcript row a replayed copy in this chat shows, if it is one."""
        async with self._db.session() as session:
            return (await session.execute(select(CaseMessage).join(
                CaseCopy, CaseCopy.message_row_id == CaseMessage.id).where(
                CaseCopy.case_id == case_id, CaseCopy.chat_id == chat_id,
                CaseCopy.message_id == message_id).limit(1))).scalar_one_or_none()

    async def copies_of(self, message_row_id: int) -> list[CaseCopy]:
        """The replayed copies of one transcript row (an edit is carried to them too)."""
        async with self._db.session() as session:
            rows = await session.execute(select(CaseCopy).where(
                CaseCopy.message_row_id == message_row_id).order_by(CaseCopy.id))
            return list(rows.scalars())

