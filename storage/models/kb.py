"""The knowledge base: entries, the synonyms staff extend, and the suggestions shown in /ask.

The full-text index (SQLite FTS5 `kb_fts`, PostgreSQL `kb_search`) is not an ORM table: the
repository keeps it in step with `kb_entries` (storage/repositories/kb_index.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class KbStatus:
    PROPOSED = "proposed"  # from a closed case, waiting for staff
    PUBLISHED = "published"
    RETIRED = "retired"


class KbEntry(SQLModel, table=True):
    __tablename__ = "kb_entries"

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=64, index=True)
    question: str = Field(max_length=500)
    answer: str = Field(sa_column=Column(Text, nullable=False))  # Telegram HTML
    # JSON list of {"kind": "photo"|"document", "file_id": ...}; null when there are none.
    attachments: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default=KbStatus.PUBLISHED, max_length=16, index=True)
    source_case_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("hotline_cases.id", ondelete="SET NULL"), nullable=True))
    proposed_by: int | None = Field(default=None, sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True))
    approved_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    approved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    reviewed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    helpful_count: int = Field(default=0)
    rejected_count: int = Field(default=0)
    shown_count: int = Field(default=0)
    # The segmented words (space-joined), as the index holds them and the scorer reads them.
    question_tokens: str = Field(sa_column=Column(Text, nullable=False))
    answer_tokens: str = Field(sa_column=Column(Text, nullable=False))


class KbSynonym(SQLModel, table=True):
    """Words that mean the same here (社工/社会工作者): one row per word, a group per meaning."""

    __tablename__ = "kb_synonyms"

    term: str = Field(primary_key=True, max_length=32)
    group_key: str = Field(max_length=32, index=True)


class KbSuggestion(SQLModel, table=True):
    """What /ask suggested to one asker, and what they chose (the figures count these)."""

    __tablename__ = "kb_suggestions"

    id: int | None = Field(default=None, primary_key=True)
    asker_id: int = Field(sa_column=Column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False,
        index=True))
    entry_ids: str = Field(max_length=64)  # "12,40,7", best first
    outcome: str = Field(default="pending", max_length=16, index=True)
    chosen_entry_id: int | None = Field(default=None)
    case_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
