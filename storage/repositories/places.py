"""Streets and communities, replaced as a whole when staff import a new list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select

from storage.db import Database
from storage.models import Place
from storage.upsert import insert_ignoring_conflicts


class PlaceRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def all(self) -> list[Place]:
        async with self._db.session() as session:
            rows = await session.execute(select(Place).order_by(Place.position))
            return list(rows.scalars().all())

    async def count(self) -> int:
        async with self._db.session() as session:
            result = await session.execute(select(func.count()).select_from(Place))
            return int(result.scalar_one())

    async def replace_all(self, rows: Sequence[dict]) -> None:
        """One transaction: readers see the old list or the new one, never half of each."""
        async with self._db.session() as session:
            await session.execute(delete(Place))
            if rows:
                await session.execute(insert(Place), list(rows))

    async def seed(self, rows: Sequence[dict]) -> None:
        """The first list; a second process seeding at the same moment adds nothing."""
        async with self._db.session() as session:
            if rows:
                await session.execute(insert_ignoring_conflicts(session, Place, list(rows)))
