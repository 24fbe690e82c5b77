"""Messages waiting for "which case?": kept until picked, then taken exactly once.

The pick is one UPDATE ... WHERE case_id IS NULL (checked by rowcount): a double press, or
two presses of different cases' buttons at once, can relay the message only one time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import PendingPick, utcnow
from storage.upsert import insert_ignoring_conflicts


class PendingPickRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, pick: PendingPick) -> None:
        """Keeps the message (once: a repeated update of the same message changes nothing)."""
        async with self._db.session() as session:
            await session.execute(insert_ignoring_conflicts(
                session, PendingPick, [pick.model_dump(exclude={"id"})]))

    async def take(self, user_id: int, message_id: int, case_id: int,
                   not_before: datetime) -> PendingPick | None:
        """Marks the message as going to `case_id`; None when it was taken or has expired."""
        async with self._db.session() as session:
            result = await session.execute(
                update(PendingPick).where(
                    PendingPick.user_id == user_id, PendingPick.message_id == message_id,
                    PendingPick.case_id.is_(None), PendingPick.created_at >= not_before)
                .values(case_id=case_id, picked_at=utcnow()))
            if result.rowcount != 1:
                return None
            return await self._find(session, user_id, message_id)

    async def get(self, user_id: int, message_id: int) -> PendingPick | None:
        async with self._db.session() as session:
            return await self._find(session, user_id, message_id)

    @staticmethod
    async def _find(session: AsyncSession, user_id: int, message_id: int) -> PendingPick | None:
        return (await session.execute(select(PendingPick).where(
            PendingPick.user_id == user_id,
            PendingPick.message_id == message_id))).scalar_one_or_none()

    async def change_text(self, user_id: int, message_id: int, text: str | None) -> bool:
        """An edit made while the bot waits for the pick: the pick relays the new words."""
        async with self._db.session() as session:
            result = await session.execute(update(PendingPick).where(
                PendingPick.user_id == user_id, PendingPick.message_id == message_id,
                PendingPick.case_id.is_(None)).values(text=text))
            return result.rowcount == 1

    async def erase_user(self, user_id: int) -> int:
        """/forget: the person's messages still waiting for "which case?" go (they hold text)."""
        async with self._db.session() as session:
            result = await session.execute(
                delete(PendingPick).where(PendingPick.user_id == user_id))
            return result.rowcount

    async def purge(self, before: datetime) -> int:
        """Forgets picks asked before `before`, picked or not."""
        async with self._db.session() as session:
            result = await session.execute(
                delete(PendingPick).where(PendingPick.created_at < before))
            return result.rowcount
