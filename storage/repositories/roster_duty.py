"""Shift swaps (offered, taken once, withdrawn, expired) and the coverage gaps announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.claims import claim_row, finish_row, release_stale_claims
from storage.db import Database
from storage.models import CoverageGapNotice, ReminderState, RosterNotice, ShiftSwap, utcnow
from storage.timestamps import as_utc

OPEN, TAKEN, WITHDRAWN, EXPIRED = "open", "taken", "withdrawn", "expired"


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: int
    chat_id: int
    template: str
    data: str


@dataclass(frozen=True, slots=True)
class SwapRow:
    id: int
    expert_id: int
    day: date
    start: str
    end: str
    categories: tuple[str, ...]
    starts_at: datetime
    status: str
    offered_by: int
    taker_id: int | None


def _swap(row: ShiftSwap) -> SwapRow:
    assert row.id is not None
    return SwapRow(row.id, row.expert_id, row.day, row.start, row.end,
                   tuple(p for p in row.categories.split(";") if p), as_utc(row.starts_at),
                   row.status, row.offered_by, row.taker_id)


class RosterDutyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_swap(self, expert_id: int, day: date, start: str, end: str,
                       categories: tuple[str, ...], starts_at: datetime,
                       offered_by: int) -> SwapRow:
        async with self._db.session() as session:
            row = ShiftSwap(expert_id=expert_id, day=day, start=start, end=end,
                            # SQLite keeps no zone: every stored time is UTC.
                            categories=";".join(categories), starts_at=starts_at.astimezone(UTC),
                            status=OPEN, offered_by=offered_by)
            session.add(row)
            await session.flush()
            return _swap(row)

    async def swap(self, swap_id: int) -> SwapRow | None:
        async with self._db.session() as session:
            row = await session.get(ShiftSwap, swap_id)
            return _swap(row) if row is not None else None

    async def open_swap_of(self, expert_id: int, day: date, start: str) -> SwapRow | None:
        async with self._db.session() as session:
            row = (await session.execute(select(ShiftSwap).where(
                ShiftSwap.expert_id == expert_id, ShiftSwap.day == day,
                ShiftSwap.start == start, ShiftSwap.status == OPEN))).scalars().first()
            return _swap(row) if row is not None else None

    async def decide(self, swap_id: int, status: str, now: datetime,
                     taker_id: int | None = None) -> bool:
        """open -> `status`, only if still open: of two decisions at once exactly one wins."""
        async with self._db.session() as session:
            result = await session.execute(
                update(ShiftSwap).where(ShiftSwap.id == swap_id, ShiftSwap.status == OPEN)
                .values(status=status, taker_id=taker_id, decided_at=now.astimezone(UTC)))
            return bool(result.rowcount)

    async def open_swaps_starting_by(self, moment: datetime) -> list[SwapRow]:
        async with self._db.session() as session:
            rows = await session.execute(select(ShiftSwap).where(
                ShiftSwap.status == OPEN, ShiftSwap.starts_at <= moment.astimezone(UTC))
                .order_by(ShiftSwap.id))
            return [_swap(r) for r in rows.scalars()]

    async def withdraw_swaps_of(self, expert_id: int, now: datetime) -> int:
        """Part of /forget: the person's shifts still offered are offered no more (an Accept
        pressed later is refused as for any withdrawn offer); decided swaps stay, as the
        roster's history."""
        async with self._db.session() as session:
            result = await session.execute(
                update(ShiftSwap).where(ShiftSwap.expert_id == expert_id, ShiftSwap.status == OPEN)
                .values(status=WITHDRAWN, decided_at=now.astimezone(UTC)))
            return int(result.rowcount or 0)

    async def mark_gap(self, category: str, day: date, hours: str) -> bool:
        """Records a gap as announced; False when it was already (another run got there)."""
        try:
            async with self._db.session() as session:
                session.add(CoverageGapNotice(category=category, day=day, hours=hours,
                                              announced_at=utcnow()))
        except IntegrityError:
            return False
        return True

    async def forget_gap(self, category: str, day: date, hours: str) -> None:
        """The announcement did not arrive: the next check tries again."""
        async with self._db.session() as session:
            await session.execute(delete(CoverageGapNotice).where(
                CoverageGapNotice.category == category, CoverageGapNotice.day == day,
                CoverageGapNotice.hours == hours))

    async def queue_notices(self, notices: list[tuple[int, str, str]]) -> None:
        """(chat, template, data as JSON) each, in one transaction with nothing else."""
        if not notices:
            return
        async with self._db.session() as session:
            session.add_all([RosterNotice(chat_id=chat, template=template, data=data)
                             for chat, template, data in notices])

    async def queued_notices(self, limit: int) -> list[NoticeRow]:
        """The notices waiting to be sent, oldest first."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(RosterNotice).where(RosterNotice.state == ReminderState.PENDING)
                .order_by(RosterNotice.id).limit(limit))
            return [NoticeRow(r.id, r.chat_id, r.template, r.data)  # type: ignore[arg-type]
                    for r in rows.scalars()]

    async def erase_queued_notices_for(self, chat_id: int) -> int:
        """Part of /forget: the notices still waiting to be sent to the person."""
        async with self._db.session() as session:
            result = await session.execute(delete(RosterNotice).where(
                RosterNotice.chat_id == chat_id, RosterNotice.state == ReminderState.PENDING))
            return int(result.rowcount or 0)

    async def take_notice(self, notice_id: int, now: datetime) -> bool:
        """Claims a queued notice for sending: True for exactly one process. The row stays
        until the send is finished (finish_notice) or handed back (release_notice)."""
        return await claim_row(self._db, RosterNotice, notice_id, now) is not None

    async def finish_notice(self, notice_id: int, state: str, now: datetime) -> None:
        """Sent, or given up for good (dropped: the bot is blocked; failed: refused)."""
        await finish_row(self._db, RosterNotice, notice_id, state, now)

    async def release_notice(self, notice_id: int) -> None:
        """The send failed for now (network, rate limit): the next check tries again."""
        async with self._db.session() as session:
            await session.execute(
                update(RosterNotice).where(RosterNotice.id == notice_id,
                                           RosterNotice.state == ReminderState.CLAIMED)
                .values(state=ReminderState.PENDING, claimed_at=None))

    async def release_stale_notices(self, claimed_before: datetime) -> int:
        """Claims of a process that died mid-send go back to the queue."""
        return await release_stale_claims(self._db, RosterNotice, claimed_before)
