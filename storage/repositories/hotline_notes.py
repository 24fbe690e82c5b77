"""Internal notes on cases (never relayed to the asker) and the waiting alerts given once."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import CaseAlert, CaseMessage, CaseNote, Snippet


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


class CaseAlertRepository:
    """Waiting alerts given to staff, each at most once (the unique key decides)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, case_id: int, kind: str, mark: str) -> bool:
        """True for the one caller that records this alert first."""
        try:
            async with self._db.session() as session:
                session.add(CaseAlert(case_id=case_id, kind=kind, mark=mark))
        except IntegrityError:
            return False
        return True

    async def release(self, case_id: int, kind: str, mark: str) -> None:
        """Forgets an alert that did not arrive: the next check claims and sends it again."""
        async with self._db.session() as session:
            await session.execute(delete(CaseAlert).where(
                CaseAlert.case_id == case_id, CaseAlert.kind == kind, CaseAlert.mark == mark))

    async def last_messages(self, case_ids: list[int]) -> dict[int, CaseMessage]:
        """Each case's latest original message (edits aside), for "unanswered" checks."""
        if not case_ids:
            return {}
        latest = (select(func.max(CaseMessage.id)).where(
            CaseMessage.case_id.in_(case_ids), CaseMessage.version == 0)
            .group_by(CaseMessage.case_id))
        async with self._db.session() as session:
            rows = await session.execute(select(CaseMessage).where(CaseMessage.id.in_(latest)))
            found = {m.case_id: m for m in rows.scalars()}
        for message in found.values():
            if message.created_at.tzinfo is None:
                message.created_at = message.created_at.replace(tzinfo=UTC)
        return found


class SnippetRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def usable(self, category: str, person_id: int) -> list[Snippet]:
        """The category's shared replies, then the person's own."""
        async with self._db.session() as session:
            rows = await session.execute(select(Snippet).where(or_(
                and_(Snippet.owner_id.is_(None), Snippet.category == category),
                Snippet.owner_id == person_id)).order_by(Snippet.owner_id.is_not(None),
                                                         Snippet.title, Snippet.id))
            return list(rows.scalars())

    async def library(self, person_id: int) -> list[Snippet]:
        """Every shared reply and the person's own, for the library page."""
        async with self._db.session() as session:
            rows = await session.execute(select(Snippet).where(or_(
                Snippet.owner_id.is_(None), Snippet.owner_id == person_id))
                .order_by(Snippet.owner_id.is_not(None), Snippet.category, Snippet.title))
            return list(rows.scalars())

    async def get(self, snippet_id: int) -> Snippet | None:
        async with self._db.session() as session:
            return await session.get(Snippet, snippet_id)

    async def add(self, category: str | None, owner_id: int | None, title: str,
                  body: str) -> Snippet:
        async with self._db.session() as session:
            snippet = Snippet(category=category, owner_id=owner_id, title=title, body=body)
            session.add(snippet)
            await session.flush()
            await session.refresh(snippet)
            return snippet

    async def remove(self, snippet_id: int) -> bool:
        async with self._db.session() as session:
            result = await session.execute(delete(Snippet).where(Snippet.id == snippet_id))
            return bool(result.rowcount)
