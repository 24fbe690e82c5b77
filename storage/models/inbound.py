"""The update inbox: every update Telegram handed over, kept before it is acknowledged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class InboundUpdate(SQLModel, table=True):
    """One update as received (its JSON), and when its handling finished."""

    __tablename__ = "inbound_updates"
    __table_args__ = (
        # The feeder reads the unprocessed ones in update_id order; processed rows (nearly all)
        # stay out of this index.
        Index("ix_inbound_updates_unprocessed", "update_id",
              sqlite_where=text("processed_at IS NULL"),
              postgresql_where=text("processed_at IS NULL")),
        Index("ix_inbound_updates_processed_at", "processed_at"),
    )

    # Telegram's own id: a redelivery of the same update finds its row and is not kept twice.
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    processed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
