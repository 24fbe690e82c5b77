"""Shared column helpers. Every timestamp is stored in UTC; local time is for display."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp written and compared in UTC, whatever zone the caller's time is in.

    SQLite keeps no zone: its driver writes an aware time's wall clock and drops the offset,
    so a local bound (Monday 00:00 in Shanghai, a report's week) was compared as if it
    were UTC, and every case of the first eight hours of a local day fell outside it.
    Converting each bound value to UTC makes a comparison mean the same on both backends;
    values read back are aware UTC on both too (PostgreSQL's timestamptz already is)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # A naive time is one this code base stored: UTC by convention (see as_utc).
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def user_key_column() -> Column:
    """A primary key that is also the owning user's id: the row goes when the user goes."""
    return Column(
        BigInteger,
        ForeignKey("users.telegram_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
