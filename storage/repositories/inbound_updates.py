"""The update inbox: kept on arrival, read back in update_id order, marked when handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import InboundUpdate
from storage.models.base import utcnow

TABLE = InboundUpdate.__table__


class InboundUpdateRepository:
    def __init__(self, database: Database, *, owns_database: bool = False) -> None:
        self._db = database
        self._owns_database = owns_database

    async def close_if_own(self) -> None:
        if self._owns_database:
            await self._db.close()

    async def keep(self, updates: Sequence[tuple[int, str]],
                   handled: Sequence[int] = ()) -> set[int]:
        """Stores the updates not stored yet, and marks `handled` ones, in one transaction
        (one write instead of two: on SQLite every write queues for the one writer).
        Returns the ids that were new."""
        if not updates and not handled:
            return set()
        now = utcnow()
        async with self._db.session() as session:
            new: set[int] = set()
            if updates:
                insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
                rows = [{"update_id": uid, "payload": payload, "received_at": now}
                        for uid, payload in updates]
                result = await session.execute(insert(TABLE).values(rows)
                                               .on_conflict_do_nothing()
                                               .returning(TABLE.c.update_id))
                new = set(result.scalars())
            if handled:
                await session.execute(update(TABLE).where(TABLE.c.update_id.in_(list(handled)))
                                      .values(processed_at=now))
            return new

    async def unprocessed(self, limit: int) -> list[tuple[int, str]]:
        """The oldest updates not yet handled (by update_id: Telegram's order)."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(TABLE.c.update_id, TABLE.c.payload)
                .where(TABLE.c.processed_at.is_(None))
                .order_by(TABLE.c.update_id)
                .limit(limit))
            return [(int(uid), payload) for uid, payload in rows]

    async def count_unprocessed(self) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                select(func.count()).select_from(TABLE).where(TABLE.c.processed_at.is_(None)))
            return int(result.scalar_one())

    async def purge_processed_before(self, cutoff: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(TABLE).where(TABLE.c.processed_at.is_not(None),
                                    TABLE.c.processed_at < cutoff))
            return int(result.rowcount or 0)
