"""Bookkeeping shared by every process of one deployment: what changed, and what ran."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import utc_column


class CacheVersion(SQLModel, table=True):
    """SQLite only: a counter per watched table, moved by triggers in the writing transaction
    (storage/cache_triggers.py). PostgreSQL announces the same changes with NOTIFY instead,
    so there this table stays empty."""

    __tablename__ = "cache_versions"

    name: str = Field(primary_key=True, max_length=64)
    version: int = Field(default=0)


class ScheduledRun(SQLModel, table=True):
    """One period of one periodic job (the weekly report of a week): inserted by the process
    that claims it, so among several processes exactly one runs it."""

    __tablename__ = "scheduled_runs"

    job: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=32)  # the due time, local ISO
    runner: str = Field(max_length=128)  # host:pid of the claiming process
    started_at: datetime = Field(sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    outcome: str | None = Field(default=None, max_length=200)
