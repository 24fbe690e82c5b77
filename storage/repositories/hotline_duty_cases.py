"""Each category's fallback person, the offers experts declined, and the closed cases staff
read as a sample (issue 15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import Case, CaseOffer, CaseStatus, CategoryFallback, OfferDecline, utcnow
from storage.upsert import insert_ignoring_conflicts


class DutyCaseRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    # ------------------------------------------------------------------ fallbacks

    async def fallbacks(self) -> list[CategoryFallback]:
        async with self._db.session() as session:
            rows = await session.execute(select(CategoryFallback)
                                         .order_by(CategoryFallback.category))
            return list(rows.scalars())

    async def fallback(self, category: str) -> CategoryFallback | None:
        async with self._db.session() as session:
            return await session.get(CategoryFallback, category)

    async def set_fallback(self, category: str, telegram_id: int, set_by: int) -> None:
        async with self._db.session() as session:
            row = await session.get(CategoryFallback, category)
            if row is None:
                session.add(CategoryFallback(category=category, telegram_id=telegram_id,
                                             set_by=set_by))
                return
            row.telegram_id, row.set_by, row.set_at = telegram_id, set_by, utcnow()

    async def clear_fallback(self, category: str) -> bool:
        async with self._db.session() as session:
            result = await session.execute(delete(CategoryFallback).where(
                CategoryFallback.category == category))
            return bool(result.rowcount)

    async def erase_fallbacks_of(self, telegram_id: int) -> int:
        """Part of /forget: the categories naming the person as their fallback name no one
        (a case then goes to the staff group, as for a category without one)."""
        async with self._db.session() as session:
            result = await session.execute(delete(CategoryFallback).where(
                CategoryFallback.telegram_id == telegram_id))
            return int(result.rowcount or 0)

    # ------------------------------------------------------------------ declines

    async def latest_offer(self, case_id: int, expert_id: int) -> CaseOffer | None:
        """The expert's newest offer of the case (a transfer back may offer it again)."""
        async with self._db.session() as session:
            return (await session.execute(select(CaseOffer).where(
                CaseOffer.case_id == case_id, CaseOffer.expert_id == expert_id)
                .order_by(CaseOffer.id.desc()).limit(1))).scalar_one_or_none()

    async def add_decline(self, offer: CaseOffer) -> bool:
        """True for the one press that declines this offer first."""
        async with self._db.session() as session:
            result = await session.execute(insert_ignoring_conflicts(session, OfferDecline, [{
                "case_id": offer.case_id, "offer_id": offer.id, "expert_id": offer.expert_id,
                "level": offer.level, "reason": None, "created_at": utcnow()}]))
            return bool(result.rowcount)

    async def declined_offers(self, case_id: int) -> set[int]:
        async with self._db.session() as session:
            rows = await session.execute(select(OfferDecline.offer_id).where(
                OfferDecline.case_id == case_id))
            return set(rows.scalars())

    async def declines(self, case_id: int) -> list[OfferDecline]:
        async with self._db.session() as session:
            rows = await session.execute(select(OfferDecline).where(
                OfferDecline.case_id == case_id).order_by(OfferDecline.id))
            return list(rows.scalars())

    async def give_reason(self, case_id: int, expert_id: int, reason: str) -> bool:
        """The reason of the expert's latest decline of the case, once."""
        async with self._db.session() as session:
            latest = (await session.execute(select(OfferDecline.id).where(
                OfferDecline.case_id == case_id, OfferDecline.expert_id == expert_id)
                .order_by(OfferDecline.id.desc()).limit(1))).scalar_one_or_none()
            if latest is None:
                return False
            result = await session.execute(update(OfferDecline).where(
                OfferDecline.id == latest, OfferDecline.reason.is_(None)).values(reason=reason))
            return bool(result.rowcount)

    # ------------------------------------------------------------------ reading

    async def closed_between(self, first: datetime, last: datetime) -> list[Case]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.status == CaseStatus.CLOSED, Case.closed_at >= first,
                Case.closed_at < last).order_by(Case.id))
            return list(rows.scalars())
