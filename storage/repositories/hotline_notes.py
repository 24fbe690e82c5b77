"""Internal notes on cases (console only; never relayed to the asker)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select

from storage.db import Database
from storage.models import CaseNote


class CaseNoteRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, case_id: int, author_id: int, text: str) -> CaseNote:
        async with self._db.session() as session:
            note = CaseNote(case_id=case_id, author_id=author_id, text=text)
            session.add(note)
            await session.flush()
            await session.refresh(note)
            return note

    async def of_case(self, case_id: int) -> list[CaseNote]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseNote).where(
                CaseNote.case_id == case_id).order_by(CaseNote.id))
            notes = list(rows.scalars())
        for note in notes:  # SQLite hands timestamps back without their zone
            if note.created_at.tzinfo is None:
                note.created_at = note.created_at.replace(tzinfo=UTC)
        return notes
