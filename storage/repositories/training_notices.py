"""Notices owed to registrants: written with the change that causes them, claimed one by one
with a single UPDATE ... WHERE state = 'pending' (so two processes send each once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from storage.claims import claim_row, finish_row, release_stale_claims
from storage.db import Database
from storage.models import ReminderState, TrainingNotice

BATCH = 100


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    course_id: int
    telegram_id: int
    kind: str
    field: str | None
    session_id: int | None


class NoticeRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, course_id: int, people: Iterable[int], kind: str, now: datetime, *,
                  field: str | None = None, session_id: int | None = None) -> int:
        rows = [{"course_id": course_id, "telegram_id": person, "kind": kind, "field": field,
                 "session_id": session_id, "state": ReminderState.PENDING, "created_at": now}
                for person in people]
        if rows:
            async with self._db.session() as session:
                await session.execute(insert(TrainingNotice), rows)
        return len(rows)

    async def pending_ids(self) -> list[int]:
        async with self._db.session() as session:
            return list((await session.execute(
                select(TrainingNotice.id).where(TrainingNotice.state == ReminderState.PENDING)
                .order_by(TrainingNotice.id).limit(BATCH))).scalars())

    async def claim(self, notice_id: int, now: datetime) -> Notice | None:
        row = await claim_row(self._db, TrainingNotice, notice_id, now)
        if row is None:
            return None
        return Notice(row.id, row.course_id, row.telegram_id, row.kind, row.field,
                      row.session_id)

    async def finish(self, notice_id: int, state: str, now: datetime) -> None:
        await finish_row(self._db, TrainingNotice, notice_id, state, now)

    async def erase_pending_for(self, telegram_id: int) -> int:
        """/forget: notices owed to the person and not yet sent go."""
        async with self._db.session() as session:
            result = await session.execute(delete(TrainingNotice).where(
                TrainingNotice.telegram_id == telegram_id,
                TrainingNotice.state == ReminderState.PENDING))
            return int(result.rowcount or 0)

    async def release_stale_claims(self, claimed_before: datetime) -> int:
        return await release_stale_claims(self._db, TrainingNotice, claimed_before)
