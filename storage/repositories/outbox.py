"""The delivery outbox: one row per message to send, claimed atomically by a sender.

Claims are one UPDATE ... WHERE state allows it, so two sender processes on one PostgreSQL
database split the rows between them (SKIP LOCKED there; SQLite has one writer anyway).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from storage.db import Database
from storage.models import OutboxMessage, utcnow

PENDING, CLAIMED, SENT, BLOCKED, FAILED, CANCELLED = (
    "pending", "claimed", "sent", "blocked", "failed", "cancelled")
_INSERT_CHUNK = 2000
_TABLE = OutboxMessage.__table__


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    campaign_kind: str
    campaign_id: int
    chat_id: int
    locale: str
    paid: bool
    attempts: int


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    locale: str


@dataclass(frozen=True, slots=True)
class OutboxResult:
    """What became of one claimed row: a final state, or pending again after `not_before`."""

    id: int
    state: str
    message_id: int | None = None
    error: str | None = None
    not_before: datetime | None = None


class OutboxRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def enqueue(self, kind: str, campaign_id: int, recipients: Iterable[Recipient], *,
                      not_before: datetime, paid: bool = False) -> int:
        now = utcnow()
        rows = [{"campaign_kind": kind, "campaign_id": campaign_id, "chat_id": r.chat_id,
                 "locale": r.locale, "paid": paid, "state": PENDING, "attempts": 0,
                 "not_before": not_before, "updated_at": now} for r in recipients]
        async with self._db.session() as session:
            for start in range(0, len(rows), _INSERT_CHUNK):
                await session.execute(insert(OutboxMessage), rows[start:start + _INSERT_CHUNK])
        return len(rows)

    def _claimable(self, sender: str, now: datetime, stale_before: datetime) -> object:
        # A claim older than the lease belongs to a sender that died (kill -9): take it over.
        # Never our own: those rows are still waiting in our queue.
        return and_(
            OutboxMessage.not_before <= now,
            or_(OutboxMessage.state == PENDING,
                and_(OutboxMessage.state == CLAIMED, OutboxMessage.claimed_at < stale_before,
                     OutboxMessage.claimed_by != sender)),
        )

    async def claim(self, sender: str, limit: int, lease: timedelta) -> list[ClaimedMessage]:
        """Takes up to `limit` due rows for `sender`, atomically.

        Two statements in one transaction: the SELECT locks the chosen rows (FOR UPDATE SKIP
        LOCKED on PostgreSQL: another sender skips them instead of waiting), the UPDATE repeats
        the condition, so a row someone else claimed meanwhile is left alone. (One UPDATE ...
        WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED) is not safe: PostgreSQL may
        run the subquery more than once and claim more than n rows.)
        """
        if limit <= 0:
            return []
        now = utcnow()
        condition = self._claimable(sender, now, now - lease)
        async with self._db.session() as session:
            chosen = list((await session.execute(
                select(OutboxMessage.id).where(condition).order_by(OutboxMessage.id)
                .limit(limit).with_for_update(skip_locked=True)
            )).scalars())
            if not chosen:
                return []
            rows = (await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(chosen), condition)
                .values(state=CLAIMED, claimed_by=sender, claimed_at=now,
                        attempts=OutboxMessage.attempts + 1, updated_at=now)
                .returning(OutboxMessage.id, OutboxMessage.campaign_kind,
                           OutboxMessage.campaign_id, OutboxMessage.chat_id,
                           OutboxMessage.locale, OutboxMessage.paid, OutboxMessage.attempts)
                .execution_options(synchronize_session=False)
            )).all()
        return sorted((ClaimedMessage(*row) for row in rows), key=lambda m: m.id)

    async def renew(self, sender: str) -> int:
        """Keeps this sender's claims fresh, so that no other sender takes them over."""
        async with self._db.session() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.claimed_by == sender, OutboxMessage.state == CLAIMED)
                .values(claimed_at=utcnow()))
            return int(result.rowcount)

    async def record(self, sender: str, results: Sequence[OutboxResult]) -> None:
        """Writes many results in one transaction; only rows this sender still holds change."""
        if not results:
            return
        now = utcnow()
        statement = (
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.claimed_by == sender,
                   _TABLE.c.state == CLAIMED)
            .values(state=bindparam("new_state"), message_id=bindparam("new_message_id"),
                    error=bindparam("new_error"), not_before=bindparam("new_not_before"),
                    updated_at=now)
        )
        params = [{"row_id": r.id, "new_state": r.state, "new_message_id": r.message_id,
                   "new_error": (r.error or None) and r.error[:256],
                   "new_not_before": r.not_before or now} for r in results]
        async with self._db.session() as session:
            await session.execute(statement, params)

    async def cancel(self, kind: str, campaign_id: int) -> int:
        """Pending rows become cancelled; claimed ones finish (they may be on the wire)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.campaign_kind == kind,
                       OutboxMessage.campaign_id == campaign_id,
                       OutboxMessage.state == PENDING)
                .values(state=CANCELLED, updated_at=utcnow())
            )
            return int(result.rowcount)

    async def cancel_for_chat(self, chat_id: int) -> int:
        """/forget: every message still waiting for this person, of any campaign, is
        cancelled (kept as a cancelled row, so the campaign's figures still add up)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == PENDING)
                .values(state=CANCELLED, updated_at=utcnow())
            )
            return int(result.rowcount)

    async def counts(self, kind: str, campaign_id: int) -> dict[str, int]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(OutboxMessage.state, func.count())
                .where(OutboxMessage.campaign_kind == kind,
                       OutboxMessage.campaign_id == campaign_id)
                .group_by(OutboxMessage.state)
            )
            return {state: int(count) for state, count in rows}

    async def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (None: nothing waits).

        Rows other senders hold are not counted: their expiry is found by regular polling.
        """
        async with self._db.session() as session:
            result = await session.execute(
                select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == PENDING)
            )
            return result.scalar_one_or_none()

    async def campaign_rows(self, kind: str, campaign_id: int) -> list[tuple[int, str, int | None]]:
        """(chat id, state, message id) of every row of a campaign, for reports and tests."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.state, OutboxMessage.message_id)
                .where(OutboxMessage.campaign_kind == kind,
                       OutboxMessage.campaign_id == campaign_id)
                .order_by(OutboxMessage.id)
            )
            return [tuple(row) for row in rows]
