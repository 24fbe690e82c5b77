"""The conversation log: appended in batches, read per user, pruned by age."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select

from storage.db import Database
from storage.models import ConversationEntry


class ConversationRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def append_many(self, entries: Sequence[dict]) -> None:
        if not entries:
            return
        async with self._db.session() as session:
            # A Core executemany: the ORM's bulk insert starts a new statement whenever the
            # next row's set of None columns differs, which here is nearly every row.
            await session.execute(insert(ConversationEntry.__table__), list(entries))

    async def for_user(self, telegram_id: int, limit: int = 500) -> list[ConversationEntry]:
        """The person's own messages and the bot's messages to their private chat, oldest first."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(ConversationEntry)
                .where(
                    or_(
                        ConversationEntry.telegram_id == telegram_id,
                        ConversationEntry.chat_id == telegram_id,
                    )
                )
                .order_by(ConversationEntry.created_at.desc(), ConversationEntry.id.desc())
                .limit(limit)
            )
            return list(reversed(rows.scalars().all()))

    async def count_for_user(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                select(func.count())
                .select_from(ConversationEntry)
                .where(
                    or_(
                        ConversationEntry.telegram_id == telegram_id,
                        ConversationEntry.chat_id == telegram_id,
                    )
                )
            )
            return int(result.scalar_one())

    async def erase_user(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(ConversationEntry).where(
                    or_(
                        ConversationEntry.telegram_id == telegram_id,
                        ConversationEntry.chat_id == telegram_id,
                    )
                )
            )
            return int(result.rowcount or 0)

    async def purge_before(self, cutoff: datetime) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(ConversationEntry).where(ConversationEntry.created_at < cutoff)
            )
            return int(result.rowcount or 0)
