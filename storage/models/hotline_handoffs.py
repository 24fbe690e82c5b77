"""What the person handing a case over (transfer, escalation, reassignment) wrote for the next
expert: a one-line summary, or why they wrote none. Kept with the case's history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow

SUMMARY_LIMIT = 200  # one line: what the next expert should read first
REASON_LIMIT = 200


class CaseHandoff(SQLModel, table=True):
    __tablename__ = "hotline_case_handoffs"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hotline_cases.id", ondelete="CASCADE", index=True)
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    action: str = Field(max_length=16)  # transfer, escalate, reassign
    summary: str | None = Field(default=None, max_length=SUMMARY_LIMIT)
    skip_reason: str | None = Field(default=None, max_length=REASON_LIMIT)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
