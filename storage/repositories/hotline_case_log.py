"""The case log: hand-overs and reopenings, for the console's timeline (a mixin of
CaseRepository, so the case services write it where they make the change)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from storage.db import Database
from storage.models import CaseLogEntry


class CaseLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def log_event(self, case_id: int, kind: str, person_id: int | None) -> None:
        async with self._db.session() as session:
            session.add(CaseLogEntry(case_id=case_id, kind=kind, person_id=person_id))

    async def logged_events(self, case_id: int) -> list[CaseLogEntry]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseLogEntry).where(
                CaseLogEntry.case_id == case_id).order_by(CaseLogEntry.id))
            entries = list(rows.scalars())
        for entry in entries:
            if entry.created_at.tzinfo is None:
                entry.created_at = entry.created_at.replace(tzinfo=UTC)
        return entries
