"""Issue 15's duty side of a case: each category's fallback person (offered a case when
nobody is on duty, before the staff group) and the offers experts declined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow

DECLINE_REASON_LIMIT = 16


class CategoryFallback(SQLModel, table=True):
    """One fallback per category: an expert or a staff member, named by staff."""

    __tablename__ = "hotline_category_fallbacks"

    category: str = Field(primary_key=True, max_length=32)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    set_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    set_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class OfferDecline(SQLModel, table=True):
    """An expert's Decline of an offer; the reason (a catalogue choice) may follow, or not."""

    __tablename__ = "hotline_offer_declines"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    # One decline per offer: a second press (or a racing one) finds the row taken.
    offer_id: int = Field(foreign_key="hotline_case_offers.id", ondelete="CASCADE",
                          unique=True)
    expert_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    level: int = Field(default=0)
    reason: str | None = Field(default=None, max_length=DECLINE_REASON_LIMIT)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
