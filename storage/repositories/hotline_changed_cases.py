"""Reading the list of changed cases that the database's triggers keep
(storage/case_change_triggers.py), for the console's live pages in every process."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.case_change_triggers import CHANGES_TABLE
from storage.db import Database
from storage.models import ChangedCase


class ChangedCaseRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def version(self) -> int:
        """Moves when any process has committed a change to a case (a cheap read: ask often)."""
        return self._db.shared_versions[CHANGES_TABLE]

    async def latest(self) -> int:
        """The id of the latest change (0 when none is kept)."""
        async with self._db.session() as session:
            return int((await session.execute(
                select(func.coalesce(func.max(ChangedCase.id), 0)))).scalar_one())

    async def since(self, after: int, limit: int) -> list[tuple[int, int]]:
        """(change id, case id) of the changes after `after`, oldest first."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(ChangedCase.id, ChangedCase.case_id).where(ChangedCase.id > after)
                .order_by(ChangedCase.id).limit(limit))
            return [(int(change), int(case)) for change, case in rows.all()]
