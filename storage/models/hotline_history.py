"""What a case keeps of its past: every rating given, every claim (in the category it was
claimed in), and every copy the bot sent someone about the case (so a reply to any of them
routes to the case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class CaseRating(SQLModel, table=True):
    """One rating of one closing: a reopened and closed-again case is rated again, and the
    earlier rating stays. `closed_at` names the closing it rates (one rating each)."""

    __tablename__ = "hotline_case_ratings"
    __table_args__ = (
        UniqueConstraint("case_id", "closed_at", name="uq_hotline_case_ratings_closing"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    asker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    stars: int
    comment: str | None = Field(default=None, max_length=1000)
    closed_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    # What the rating owes others (services/hotline/rating_notices.py): "stars" once given,
    # "comment" once commented; who of the expert and staff has been told of it; and from
    # when it is due (while one process sends it, the end of its lease). None: all told.
    notice: str | None = Field(default=None, max_length=8)
    notice_told: str = Field(default="", max_length=32)
    notice_due: datetime | None = Field(default=None,
                                        sa_column=utc_column(nullable=True, index=True))


class CaseClaim(SQLModel, table=True):
    """A claim: who took the case, in which category, after waiting since when. A transferred
    case has one per category it was claimed in, so each category's claim time is its own."""

    __tablename__ = "hotline_case_claims"
    __table_args__ = (Index("ix_hotline_case_claims_claimed", "claimed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    category: str = Field(max_length=32)
    expert_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    waiting_since: datetime = Field(sa_column=utc_column())
    claimed_at: datetime = Field(sa_column=utc_column())


class CaseCopy(SQLModel, table=True):
    """A message the bot put in someone's chat about a case beyond the relay's own copies:
    the history replayed to a new handler, notes such as "reopened". `message_row_id` is the
    transcript row a replayed copy shows (for keeping reply threads), null for a note."""

    __tablename__ = "hotline_case_copies"
    __table_args__ = (Index("ix_hotline_case_copies_message", "chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_row_id: int | None = Field(default=None, foreign_key="hotline_case_messages.id",
                                       ondelete="CASCADE")
