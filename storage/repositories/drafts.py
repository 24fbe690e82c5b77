"""Multi-step dialogs in progress (one per user), so that restarts resume them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete

from storage.db import Database
from storage.models import Draft, utcnow


@dataclass(slots=True)
class DraftState:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class DraftRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def version(self) -> int:
        """Moves when a draft is written, in this process or another (a second bot)."""
        return self._db.table_versions["drafts"]

    async def get(self, telegram_id: int) -> DraftState | None:
        async with self._db.session() as session:
            draft = await session.get(Draft, telegram_id)
            if draft is None:
                return None
            return DraftState(draft.flow, draft.step, json.loads(draft.data_json))

    async def save(self, telegram_id: int, state: DraftState) -> None:
        async with self._db.session() as session:
            await session.merge(
                Draft(
                    telegram_id=telegram_id,
                    flow=state.flow,
                    step=state.step,
                    data_json=json.dumps(state.data, ensure_ascii=False),
                    updated_at=utcnow(),
                )
            )

    async def clear(self, telegram_id: int) -> int:
        """Drops the person's dialog in progress; returns 1 if there was one."""
        async with self._db.session() as session:
            result = await session.execute(delete(Draft).where(Draft.telegram_id == telegram_id))
            return int(result.rowcount or 0)
