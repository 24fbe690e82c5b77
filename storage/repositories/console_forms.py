"""One-time form tokens of the console. Callers pass hashes, never the tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import ConsoleFormToken


@dataclass(frozen=True, slots=True)
class FormTokenRecord:
    telegram_id: int
    purpose: str
    created_at: datetime
    used: bool
    result: str
    payload: str


class ConsoleFormRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, token_hash: str, telegram_id: int, purpose: str, payload: str,
                  now: datetime, forget_before: datetime) -> None:
        """Stores a new token; tokens older than `forget_before` go (their forms are stale)."""
        async with self._db.session() as session:
            await session.execute(delete(ConsoleFormToken).where(
                ConsoleFormToken.created_at < forget_before))
            session.add(ConsoleFormToken(token_hash=token_hash, telegram_id=telegram_id,
                                         purpose=purpose, payload=payload, created_at=now))

    async def claim(self, token_hash: str, telegram_id: int, purpose: str, now: datetime,
                    issued_after: datetime) -> bool:
        """The single UPDATE ... WHERE used_at IS NULL is the claim: of two submissions of
        one form racing each other, exactly one sees rowcount 1."""
        async with self._db.session() as session:
            result = await session.execute(
                update(ConsoleFormToken)
                .where(ConsoleFormToken.token_hash == token_hash,
                       ConsoleFormToken.telegram_id == telegram_id,
                       ConsoleFormToken.purpose == purpose,
                       ConsoleFormToken.used_at.is_(None),
                       ConsoleFormToken.created_at > issued_after)
                .values(used_at=now))
            return result.rowcount == 1

    async def set_payload(self, token_hash: str, telegram_id: int, purpose: str, payload: str,
                          issued_after: datetime) -> bool:
        """Replaces what an unused token carries; False when it is used, old or not theirs."""
        async with self._db.session() as session:
            result = await session.execute(
                update(ConsoleFormToken)
                .where(ConsoleFormToken.token_hash == token_hash,
                       ConsoleFormToken.telegram_id == telegram_id,
                       ConsoleFormToken.purpose == purpose,
                       ConsoleFormToken.used_at.is_(None),
                       ConsoleFormToken.created_at > issued_after)
                .values(payload=payload))
            return result.rowcount == 1

    async def finish(self, token_hash: str, result: str) -> None:
        async with self._db.session() as session:
            await session.execute(update(ConsoleFormToken)
                                  .where(ConsoleFormToken.token_hash == token_hash)
                                  .values(result=result))

    async def release(self, token_hash: str) -> None:
        """The action did not happen (it failed): the same form may be sent again."""
        async with self._db.session() as session:
            await session.execute(update(ConsoleFormToken)
                                  .where(ConsoleFormToken.token_hash == token_hash,
                                         ConsoleFormToken.result == "")
                                  .values(used_at=None))

    async def erase_person(self, telegram_id: int) -> int:
        """/forget: the person's form tokens (console forms, confirmations) go."""
        async with self._db.session() as session:
            result = await session.execute(delete(ConsoleFormToken).where(
                ConsoleFormToken.telegram_id == telegram_id))
            return int(result.rowcount or 0)

    async def get(self, token_hash: str) -> FormTokenRecord | None:
        async with self._db.session() as session:
            row = (await session.execute(select(ConsoleFormToken).where(
                ConsoleFormToken.token_hash == token_hash))).scalar_one_or_none()
            if row is None:
                return None
            created = row.created_at if row.created_at.tzinfo else row.created_at.replace(
                tzinfo=UTC)  # SQLite keeps no zone; every stored time is UTC
            return FormTokenRecord(row.telegram_id, row.purpose, created,
                                   row.used_at is not None, row.result, row.payload)
