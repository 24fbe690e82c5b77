"""The expert hotline: categories, experts, the duty roster, cases, offers and transcripts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import user_key_column, utc_column, utcnow


class CaseStatus:
    """A case waits for a claim (offered), is being answered (open), or is done (closed)."""

    OFFERED = "offered"
    OPEN = "open"
    CLOSED = "closed"


def _user_column(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(BigInteger, ForeignKey("users.telegram_id"), nullable=nullable, index=index)


class HotlineCategory(SQLModel, table=True):
    """A speciality experts answer (实务督导, 财务, ...): seeded, then edited by staff."""

    __tablename__ = "hotline_categories"

    key: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class Expert(SQLModel, table=True):
    __tablename__ = "hotline_experts"

    telegram_id: int = Field(sa_column=user_key_column())
    name: str = Field(max_length=64)
    # The name in Latin letters (pinyin, surname first), for the English alias.
    name_en: str | None = Field(default=None, max_length=64)
    # Comma-separated category keys, in the order staff gave them (the first names the alias).
    categories: str = Field(max_length=256)
    # Shown to askers instead of the name; empty means the default (speciality + surname).
    alias_zh: str | None = Field(default=None, max_length=64)
    alias_en: str | None = Field(default=None, max_length=64)
    # /duty off: stepped off for now, whatever the roster says, until /duty on.
    stepped_off: bool = Field(default=False)
    # The case an expert's unrouted messages go to, chosen with a button (never guessed).
    active_case_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class RosterShift(SQLModel, table=True):
    """One line of the weekly plan, replaced whole by `hotline roster import`."""

    __tablename__ = "hotline_roster_shifts"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=_user_column(index=True))
    categories: str = Field(max_length=256)
    days: str = Field(max_length=64)
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)
    line: int = Field(default=0)


class RosterOverride(SQLModel, table=True):
    """A dated exception: leave ("off") or an extra or swapped shift ("on")."""

    __tablename__ = "hotline_roster_overrides"
    __table_args__ = (Index("ix_hotline_roster_overrides_day", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date
    telegram_id: int = Field(sa_column=_user_column())
    kind: str = Field(max_length=8)
    categories: str | None = Field(default=None, max_length=256)
    start: str | None = Field(default=None, max_length=5)
    end: str | None = Field(default=None, max_length=5)


class CaseCounter(SQLModel, table=True):
    """The last case number given out per year (C-2026-0001 ...), bumped atomically."""

    __tablename__ = "hotline_case_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


class Case(SQLModel, table=True):
    __tablename__ = "hotline_cases"
    __table_args__ = (
        Index("ix_hotline_cases_due", "status", "escalate_at"),
        Index("ix_hotline_cases_asker", "asker_id", "status"),
        Index("ix_hotline_cases_expert", "expert_id", "status"),
        Index("ix_hotline_cases_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True)
    asker_id: int = Field(sa_column=_user_column())
    category: str = Field(max_length=32)
    status: str = Field(default=CaseStatus.OFFERED, max_length=16)
    expert_id: int | None = Field(default=None, sa_column=_user_column(nullable=True))
    # 0 the on-duty experts, 1 the backups, 2 the staff group or the admins.
    escalation_level: int = Field(default=0)
    # When the next escalation is due; null once no one further is left to ask.
    escalate_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    staff_thread_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # The message in the asker's chat that announced the expert: relayed messages reply to it.
    asker_anchor_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    expert_anchor_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    first_answer_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_by: str | None = Field(default=None, max_length=16)
    # The latest rating and its comment; every rating given is in hotline_case_ratings.
    rating: int | None = Field(default=None)
    rating_comment: str | None = Field(default=None, max_length=1000)
    # Since when the case waits for a claim in its current category (creation, or the
    # latest transfer): claim times are measured from here, per category.
    waiting_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The asker's "closed, please rate" message: its buttons go when the case reopens.
    closed_card_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # That message is owed to the asker from this time on (set with the closing, cleared
    # once it is sent or cannot be); while one process sends it, the end of its lease.
    closed_card_due: datetime | None = Field(default=None,
                                             sa_column=utc_column(nullable=True, index=True))


class CaseOffer(SQLModel, table=True):
    """A Claim button the bot sent, so that it can be edited to "taken" later."""

    __tablename__ = "hotline_case_offers"
    __table_args__ = (Index("ix_hotline_case_offers_case", "case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE")
    # Null for the offer posted in the staff group.
    expert_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    level: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CaseMessage(SQLModel, table=True):
    """One message of a case and where the bot copied it: the transcript and the id mapping."""

    __tablename__ = "hotline_case_messages"
    __table_args__ = (
        Index("ix_hotline_case_messages_case", "case_id", "id"),
        Index("ix_hotline_case_messages_source", "source_chat_id", "source_message_id"),
        Index("ix_hotline_case_messages_target", "target_chat_id", "target_message_id"),
        UniqueConstraint("source_chat_id", "source_message_id", "version",
                         name="uq_hotline_case_messages_source_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE")
    # asker, expert, or staff (someone who took the case over from the staff group).
    sender_role: str = Field(max_length=8)
    sender_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    source_chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    source_message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    target_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    target_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True))
    mirror_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True))
    # 0 the original, 1.. each later edit.
    version: int = Field(default=0)
    kind: str = Field(max_length=16)
    text: str | None = Field(default=None)
    media_ref: str | None = Field(default=None, max_length=256)
    # delivered, failed (after the retries), or held (sent before anyone claimed the case).
    delivery: str = Field(default="delivered", max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class HotlineBlock(SQLModel, table=True):
    """A person staff barred from the hotline (abuse): no new questions, nothing relayed."""

    __tablename__ = "hotline_blocks"

    telegram_id: int = Field(sa_column=user_key_column())
    reason: str = Field(default="", max_length=256)
    blocked_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class PendingPick(SQLModel, table=True):
    """A message the bot asked "which case?" about, kept until its sender picks one.

    In the database rather than memory, so a pick after a restart still stores the message's
    text in the transcript; `case_id` is set once, atomically, by the first pick."""

    __tablename__ = "hotline_pending_picks"
    __table_args__ = (
        UniqueConstraint("user_id", "message_id", name="uq_hotline_pending_picks_message"),
        Index("ix_hotline_pending_picks_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=16)
    text: str | None = Field(default=None)
    media_ref: str | None = Field(default=None, max_length=256)
    reply_to: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    case_id: int | None = Field(default=None, foreign_key="hotline_cases.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    picked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
