"""Claim-send-finish for rows that are sent one at a time (training reminders and notices).

A row goes pending → claimed (one UPDATE that only succeeds for one process) → sent, failed
or dropped; a claim left by a process that died mid-send goes back to pending later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from storage.db import Database
from storage.models import ReminderState


async def claim_row(database: Database, model: Any, row_id: int, now: datetime) -> Any | None:
    """The row, if this call claimed it; None if another process did (or it is not pending)."""
    async with database.session() as session:
        result = await session.execute(
            update(model).where(model.id == row_id, model.state == ReminderState.PENDING)
            .values(state=ReminderState.CLAIMED, claimed_at=now))
        if result.rowcount != 1:
            return None
        return await session.get(model, row_id)


async def finish_row(database: Database, model: Any, row_id: int, state: str,
                     now: datetime) -> None:
    async with database.session() as session:
        await session.execute(
            update(model).where(model.id == row_id, model.state == ReminderState.CLAIMED)
            .values(state=state, sent_at=now if state == ReminderState.SENT else None))


async def release_stale_claims(database: Database, model: Any, claimed_before: datetime) -> int:
    """Claims of a process that died mid-send go back to pending."""
    async with database.session() as session:
        result = await session.execute(
            update(model).where(model.state == ReminderState.CLAIMED,
                                model.claimed_at < claimed_before)
            .values(state=ReminderState.PENDING, claimed_at=None))
        return int(result.rowcount or 0)
