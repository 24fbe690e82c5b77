"""Public-benefit ideas (公益金点子): the ideas, their statuses, history, supports and reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


def _author_column(*, primary_key: bool = False) -> Column:
    return Column(BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"),
                  primary_key=primary_key, nullable=False, index=not primary_key,
                  autoincrement=False)


def _idea_column(*, primary_key: bool = False) -> Column:
    return Column(Integer, ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=primary_key,
                  nullable=False, index=not primary_key, autoincrement=False)


class IdeaStatus(SQLModel, table=True):
    """The review statuses: data staff can edit (`hotline ideas status ...`), seeded by the
    migration. `public`: shown under /ideas; `open`: in the review queue by default."""

    __tablename__ = "idea_statuses"

    key: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    position: int = Field(default=0)
    public: bool = Field(default=False)
    open: bool = Field(default=True)


class IdeaSequence(SQLModel, table=True):
    """The last reference number given out per year (I-2026-0042), bumped by one UPDATE."""

    __tablename__ = "idea_sequences"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = Field(default=0)


class Idea(SQLModel, table=True):
    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("reference", name="uq_ideas_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=16)
    author_id: int = Field(sa_column=_author_column())
    title: str = Field(max_length=60)
    problem: str = Field(max_length=1000)
    solution: str = Field(max_length=1000)
    street: str = Field(max_length=32)
    community: str = Field(max_length=32)
    photo_file_id: str | None = Field(default=None, max_length=256)
    contact: str | None = Field(default=None, max_length=128)  # null: do not contact me
    show_name: bool = Field(default=False)  # the author agreed to be named publicly
    # The status staff set, and the one published to the author and the public; they differ
    # while a change waits to be published.
    status: str = Field(max_length=32, index=True)
    published_status: str = Field(max_length=32, index=True)
    answer: str | None = Field(default=None, max_length=1000)
    published_answer: str | None = Field(default=None, max_length=1000)
    staff_answered: bool = Field(default=False)
    duplicate_of_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ideas.id"), nullable=True))
    support_count: int = Field(default=0)
    report_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    edit_until: datetime = Field(sa_column=utc_column())
    withdrawn_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class IdeaEvent(SQLModel, table=True):
    """The history of an idea: status changes, answers, publishing, notes, duplicates.

    Notes (kind "note") are private to staff and never reach the author. An event the author
    is owed word of (a newly published status, a duplicate) carries `notice`, written in the
    same transaction as the change: pending → claimed (one process sends it) → sent |
    dropped (unreachable, or the idea is gone) | failed (still not through after days)."""

    __tablename__ = "idea_events"

    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(sa_column=_idea_column())
    kind: str = Field(max_length=16)
    status: str | None = Field(default=None, max_length=32)
    text: str | None = Field(default=None, max_length=1000)
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    notice: str | None = Field(default=None, max_length=16, index=True)
    notice_claimed_at: datetime | None = Field(default=None,
                                               sa_column=utc_column(nullable=True))


class IdeaSupport(SQLModel, table=True):
    __tablename__ = "idea_supports"

    idea_id: int = Field(sa_column=_idea_column(primary_key=True))
    telegram_id: int = Field(sa_column=_author_column(primary_key=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class IdeaReport(SQLModel, table=True):
    __tablename__ = "idea_reports"

    idea_id: int = Field(sa_column=_idea_column(primary_key=True))
    telegram_id: int = Field(sa_column=_author_column(primary_key=True))
    reason: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class IdeaStaffTopic(SQLModel, table=True):
    """The forum topic of the staff group where new ideas are announced, created once."""

    __tablename__ = "idea_staff_topics"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    thread_id: int = Field()
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class IdeaReviewPanel(SQLModel, table=True):
    """A reviewer's one live card of an idea (the message in their chat with /review, where
    its buttons are): a card shown again takes its place, and presses on others are refused."""

    __tablename__ = "idea_review_panels"

    idea_id: int = Field(sa_column=_idea_column(primary_key=True))
    reviewer_id: int = Field(sa_column=_author_column(primary_key=True))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    shown_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
