"""The record of messages to people that could not be delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select

from storage.db import Database
from storage.models import SendFailure


class SendFailureRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_many(self, rows: Sequence[dict]) -> None:
        if not rows:
            return
        async with self._db.session() as session:
            await session.execute(insert(SendFailure), list(rows))

    async def count_since(self, since: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                select(func.count()).select_from(SendFailure).where(SendFailure.at >= since))
            return int(result.scalar_one())

    async def latest(self, limit: int = 20) -> list[SendFailure]:
        async with self._db.session() as session:
            result = await session.execute(
                select(SendFailure).order_by(SendFailure.at.desc(), SendFailure.id.desc())
                .limit(limit))
            return list(result.scalars())

    async def count_for(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                select(func.count()).select_from(SendFailure)
                .where(SendFailure.chat_id == telegram_id))
            return int(result.scalar_one())

    async def erase_person(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(SendFailure).where(SendFailure.chat_id == telegram_id))
            return int(result.rowcount or 0)

    async def prune_before(self, before: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(delete(SendFailure).where(SendFailure.at < before))
            return int(result.rowcount or 0)
