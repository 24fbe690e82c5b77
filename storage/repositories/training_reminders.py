"""Reminder rows: planned per course, claimed atomically by the dispatcher, finished once.

The claim is a single UPDATE ... WHERE state = 'pending' whose rowcount says who won, so it
holds on SQLite and PostgreSQL alike, across processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from storage.claims import claim_row, finish_row, release_stale_claims
from storage.db import Database
from storage.models import ReminderState, TrainingReminder, User
from storage.timestamps import as_utc
from storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    telegram_id: int
    target: str
    session_id: int | None
    offset_label: str
    due_at: datetime
    not_after: datetime


@dataclass(frozen=True, slots=True)
class DueReminder:
    id: int
    course_id: int
    telegram_id: int
    target: str
    session_id: int | None
    offset_label: str
    due_at: datetime
    not_after: datetime



class ReminderRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def plan(self, course_id: int, wanted: Sequence[PlannedReminder], now: datetime,
                   people: Iterable[int] | None = None) -> None:
        """Makes the course's reminder rows (of `people`, or of everyone) match `wanted`:
        unwanted pending rows go, moved ones move (and are armed again if their new time is
        still ahead), new ones come."""
        wanted_by_key = {(w.telegram_id, w.target, w.offset_label): w for w in wanted}
        query = select(TrainingReminder).where(TrainingReminder.course_id == course_id)
        if people is not None:
            query = query.where(TrainingReminder.telegram_id.in_(list(people)))
        async with self._db.session() as session:
            rows = (await session.execute(query)).scalars().all()
            existing = set()
            for row in rows:
                key = (row.telegram_id, row.target, row.offset_label)
                plan = wanted_by_key.get(key)
                if plan is None:
                    if row.state == ReminderState.PENDING:
                        await session.delete(row)
                    continue
                existing.add(key)
                if as_utc(row.due_at) != plan.due_at or as_utc(row.not_after) != plan.not_after:
                    row.due_at, row.not_after = plan.due_at, plan.not_after
                    if plan.due_at > now and row.state != ReminderState.CLAIMED:
                        row.state, row.sent_at = ReminderState.PENDING, None
            new_rows = [
                {"course_id": course_id, "telegram_id": w.telegram_id, "target": w.target,
                 "session_id": w.session_id, "offset_label": w.offset_label,
                 "due_at": w.due_at, "not_after": w.not_after, "state": ReminderState.PENDING}
                for key, w in wanted_by_key.items() if key not in existing and w.due_at > now
            ]
            if new_rows:
                await session.execute(insert_ignoring_conflicts(session, TrainingReminder,
                                                                new_rows))

    async def due_reminder_ids(self, now: datetime, limit: int) -> list[int]:
        async with self._db.session() as session:
            return list((await session.execute(
                select(TrainingReminder.id).where(TrainingReminder.state == ReminderState.PENDING,
                                                  TrainingReminder.due_at <= now)
                .order_by(TrainingReminder.due_at, TrainingReminder.id).limit(limit))).scalars())

    async def claim(self, reminder_id: int, now: datetime) -> DueReminder | None:
        row = await claim_row(self._db, TrainingReminder, reminder_id, now)
        if row is None:
            return None
        return DueReminder(row.id, row.course_id, row.telegram_id, row.target,
                           row.session_id, row.offset_label, as_utc(row.due_at),
                           as_utc(row.not_after))

    async def finish(self, reminder_id: int, state: str, now: datetime) -> None:
        await finish_row(self._db, TrainingReminder, reminder_id, state, now)

    async def release_stale_claims(self, claimed_before: datetime) -> int:
        """Claims of a process that died mid-send go back to pending."""
        return await release_stale_claims(self._db, TrainingReminder, claimed_before)

    async def erase_pending_for(self, telegram_id: int) -> int:
        """/forget: reminders not yet sent to the person go (sent ones are history)."""
        async with self._db.session() as session:
            result = await session.execute(delete(TrainingReminder).where(
                TrainingReminder.telegram_id == telegram_id,
                TrainingReminder.state == ReminderState.PENDING))
            return int(result.rowcount or 0)

    async def reminders_of(self, course_id: int) -> list[TrainingReminder]:
        async with self._db.session() as session:
            return list((await session.execute(
                select(TrainingReminder).where(TrainingReminder.course_id == course_id)
                .order_by(TrainingReminder.due_at, TrainingReminder.id))).scalars())

    async def locales_of(self, people: Iterable[int]) -> dict[int, str]:
        ids = list(people)
        if not ids:
            return {}
        async with self._db.session() as session:
            return dict((await session.execute(select(User.telegram_id, User.locale)
                                               .where(User.telegram_id.in_(ids)))).all())
