"""Internal notes on a case: written by staff or the case's expert in the console, shown to
them and in the staff topic, never sent to the asker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow

NOTE_LIMIT = 2000
SNIPPET_TITLE_LIMIT = 60
SNIPPET_BODY_LIMIT = 2000


class CaseNote(SQLModel, table=True):
    __tablename__ = "hotline_case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(max_length=NOTE_LIMIT)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CaseAlert(SQLModel, table=True):
    """A waiting alert given to staff: `kind` overdue (no claim within the claim timeout,
    `mark` the waiting period's start) or unanswered (`mark` the asker's message). The
    unique key makes it once, whichever process or restart gets there first."""

    __tablename__ = "hotline_case_alerts"
    __table_args__ = (UniqueConstraint("case_id", "kind", "mark",
                                       name="uq_hotline_case_alerts_once"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    mark: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Snippet(SQLModel, table=True):
    """A canned reply: shared by category (`owner_id` null, curated by staff) or an expert's
    own (`owner_id` set, any category). Placeholders such as {name} are filled when used."""

    __tablename__ = "hotline_snippets"

    id: int | None = Field(default=None, primary_key=True)
    category: str | None = Field(default=None, max_length=32, index=True)
    owner_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    title: str = Field(max_length=SNIPPET_TITLE_LIMIT)
    body: str = Field(max_length=SNIPPET_BODY_LIMIT)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CaseLogEntry(SQLModel, table=True):
    """What happened to a case that no other row records: handed over (to `person_id`: staff
    taking it over or an expert given it) and reopened (by the asker)."""

    __tablename__ = "hotline_case_log"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    person_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ChangedCase(SQLModel, table=True):
    """That a case changed (its row, a message, a note, a hand-over), written by database
    triggers in the changing transaction, from any process (storage/case_change_triggers.py),
    so that every process's live console pages see it. The latest rows only are kept."""

    __tablename__ = "hotline_changed_cases"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int
