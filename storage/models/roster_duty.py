"""The roster's own records beyond the plan: shift swaps offered in Telegram, and the
coverage gaps already announced to staff (so each is announced once)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow
from storage.models.trainings import ReminderState


class ShiftSwap(SQLModel, table=True):
    """A shift offered to the other experts of its categories. `status` open -> taken (the
    first Accept, by a conditional UPDATE), withdrawn (the offerer or staff) or expired
    (nobody took it before `starts_at`)."""

    __tablename__ = "roster_shift_swaps"
    __table_args__ = (Index("ix_roster_shift_swaps_status_starts", "status", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    day: date
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)
    categories: str = Field(max_length=256)
    starts_at: datetime = Field(sa_column=utc_column())
    status: str = Field(max_length=12)
    offered_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    taker_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class CoverageGapNotice(SQLModel, table=True):
    """A gap told to staff: a category, a day and the hours nobody covers. Inserted before
    the message is sent (the unique key makes it once across runs and processes) and
    deleted again when the message did not arrive."""

    __tablename__ = "roster_gap_notices"
    __table_args__ = (UniqueConstraint("category", "day", "hours",
                                       name="uq_roster_gap_notices_once"),)

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=32)
    day: date
    hours: str = Field(max_length=128)
    announced_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class RosterNotice(SQLModel, table=True):
    """A message asked for by a roster change (an expert told staff changed their shifts),
    kept until the bot has sent it: a change made at the command line, where no bot runs,
    is told by the running bot's next check. `state` goes pending -> claimed (one process
    sends it) -> sent, or dropped (the bot is blocked) or failed (Telegram refused it); a
    send that failed for a while, or a claim its process never finished, goes back to
    pending, so a notice is lost neither to a crash nor to a network error."""

    __tablename__ = "roster_notices"
    __table_args__ = (Index("ix_roster_notices_state", "state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    template: str = Field(max_length=64)
    data: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    state: str = Field(default=ReminderState.PENDING, max_length=16)
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
