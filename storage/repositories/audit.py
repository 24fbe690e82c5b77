"""The staff audit log: appended by staff actions in the console, the bot and the command line,
read (filtered, paged) by admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    telegram_id: int
    at: datetime
    action: str
    target: str
    detail: str
    channel: str


@dataclass(frozen=True, slots=True)
class AuditFilter:
    telegram_id: int | None = None
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    channel: str | None = None


class AuditRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, telegram_id: int, action: str, target: str, detail: str,
                  at: datetime, channel: str) -> None:
        async with self._db.session() as session:
            session.add(AuditEntry(telegram_id=telegram_id, action=action, target=target,
                                   detail=detail, at=at, channel=channel))

    @staticmethod
    def _where(query, wanted: AuditFilter):  # type: ignore[no-untyped-def]
        if wanted.telegram_id is not None:
            query = query.where(AuditEntry.telegram_id == wanted.telegram_id)
        if wanted.action:
            query = query.where(AuditEntry.action == wanted.action)
        if wanted.channel:
            query = query.where(AuditEntry.channel == wanted.channel)
        if wanted.since is not None:
            query = query.where(AuditEntry.at >= wanted.since)
        if wanted.until is not None:
            query = query.where(AuditEntry.at < wanted.until)
        return query

    async def page(self, wanted: AuditFilter, offset: int, limit: int
                   ) -> tuple[list[AuditRecord], int]:
        """Newest first; also the total count matching, for the pager."""
        async with self._db.session() as session:
            total = (await session.execute(
                self._where(select(func.count()).select_from(AuditEntry), wanted))).scalar_one()
            rows = (await session.execute(
                self._where(select(AuditEntry), wanted)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .offset(offset).limit(limit))).scalars().all()
            return [AuditRecord(r.id, r.telegram_id,
                                r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                                r.action, r.target, r.detail, r.channel)
                    for r in rows], int(total)

    async def actions(self) -> list[str]:
        async with self._db.session() as session:
            rows = await session.execute(select(AuditEntry.action).distinct()
                                         .order_by(AuditEntry.action))
            return [row[0] for row in rows]

    async def actors(self) -> list[int]:
        async with self._db.session() as session:
            rows = await session.execute(select(AuditEntry.telegram_id).distinct())
            return sorted(row[0] for row in rows)
