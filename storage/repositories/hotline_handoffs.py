"""The handoff notes of cases (storage/models/hotline_handoffs.py): kept, and the latest read."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models.hotline_handoffs import CaseHandoff


class HandoffRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, handoff: CaseHandoff) -> None:
        async with self._db.session() as session:
            session.add(handoff)

    async def latest(self, case_id: int) -> CaseHandoff | None:
        async with self._db.session() as session:
            return (await session.execute(
                select(CaseHandoff).where(CaseHandoff.case_id == case_id)
                .order_by(CaseHandoff.id.desc()).limit(1))).scalar_one_or_none()

    async def of_case(self, case_id: int) -> list[CaseHandoff]:
        async with self._db.session() as session:
            return list((await session.execute(
                select(CaseHandoff).where(CaseHandoff.case_id == case_id)
                .order_by(CaseHandoff.id))).scalars())
