"""Messages to people the send gateway gave up on, for staff to see (issue 11)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class SendFailure(SQLModel, table=True):
    __tablename__ = "send_failures"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    method: str = Field(max_length=32)
    outcome: str = Field(max_length=16)  # services.delivery.protocol.Outcome
    reason: str = Field(max_length=300)
