"""The conversation log: every message between a chat and the bot, either way."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.models.base import utc_column, utcnow


class Direction(StrEnum):
    INCOMING = "in"
    OUTGOING = "out"


class ConversationEntry(SQLModel, table=True):
    """One message between a chat and the bot, either way, as Telegram saw it."""

    __tablename__ = "conversation_log"
    __table_args__ = (
        Index("ix_conversation_log_chat_time", "chat_id", "created_at"),
        Index("ix_conversation_log_user", "telegram_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The person the entry belongs to (the sender of an incoming message, the addressee of a
    # private outgoing one); /forget erases by it. Null for bot messages to groups.
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    direction: str = Field(max_length=3)
    kind: str = Field(max_length=24)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    thread_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reply_to_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    # 0 for the original message, 1.. for each later edit of it.
    version: int = Field(default=0)
    text: str | None = Field(default=None)
    media_ref: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
