"""Shared column helpers. Every timestamp is stored in UTC; local time is for display."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def user_key_column() -> Column:
    """A primary key that is also the owning user's id: the row goes when the user goes."""
    return Column(
        BigInteger,
        ForeignKey("users.telegram_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
