"""Times read back from the database, made aware.

Every time is stored in UTC, but SQLite hands timestamps back without their zone (PostgreSQL
keeps it): whatever compares or formats a stored time goes through `as_utc` first."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The stored time with its zone, UTC; an aware time is returned as it is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
