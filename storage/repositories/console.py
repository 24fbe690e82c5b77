"""Console sign-in links and browser sessions. Callers pass hashes, never the secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, update

from storage.db import Database
from storage.models import ConsoleLoginToken, ConsoleSession


@dataclass(frozen=True, slots=True)
class TokenState:
    """What an unusable link looked like: found at all, already used, or out of time."""

    exists: bool
    used: bool
    expired: bool


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id_hash: str
    telegram_id: int
    csrf_token: str
    locale: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _record(row: ConsoleSession) -> SessionRecord:
    return SessionRecord(row.id_hash, row.telegram_id, row.csrf_token, row.locale,
                         _aware(row.created_at), _aware(row.last_seen_at),
                         _aware(row.expires_at))


class ConsoleRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_token(self, token_hash: str, telegram_id: int, expires_at: datetime) -> None:
        async with self._db.session() as session:
            session.add(ConsoleLoginToken(token_hash=token_hash, telegram_id=telegram_id,
                                          expires_at=expires_at))

    async def redeem_token(self, token_hash: str, now: datetime,
                           new_session: SessionRecord) -> bool:
        """Marks the link used and opens the session in one transaction; False if unusable.

        The single UPDATE ... WHERE used_at IS NULL is the claim: of two browsers opening the
        same link at once, exactly one sees rowcount 1.
        """
        async with self._db.session() as session:
            result = await session.execute(
                update(ConsoleLoginToken)
                .where(ConsoleLoginToken.token_hash == token_hash,
                       ConsoleLoginToken.telegram_id == new_session.telegram_id,
                       ConsoleLoginToken.used_at.is_(None),
                       ConsoleLoginToken.expires_at > now)
                .values(used_at=now))
            if result.rowcount != 1:
                return False
            session.add(ConsoleSession(**{field: getattr(new_session, field)
                                          for field in SessionRecord.__slots__}))
            return True

    async def token_owner(self, token_hash: str) -> int | None:
        async with self._db.session() as session:
            row = await session.get(ConsoleLoginToken, token_hash)
            return None if row is None else row.telegram_id

    async def token_state(self, token_hash: str, now: datetime) -> TokenState:
        async with self._db.session() as session:
            row = await session.get(ConsoleLoginToken, token_hash)
            if row is None:
                return TokenState(exists=False, used=False, expired=False)
            return TokenState(exists=True, used=row.used_at is not None,
                              expired=_aware(row.expires_at) <= now)

    async def get_session(self, id_hash: str) -> SessionRecord | None:
        async with self._db.session() as session:
            row = await session.get(ConsoleSession, id_hash)
            return None if row is None else _record(row)

    async def touch(self, id_hash: str, now: datetime) -> None:
        async with self._db.session() as session:
            await session.execute(update(ConsoleSession)
                                  .where(ConsoleSession.id_hash == id_hash)
                                  .values(last_seen_at=now))

    async def set_locale(self, id_hash: str, locale: str) -> None:
        async with self._db.session() as session:
            await session.execute(update(ConsoleSession)
                                  .where(ConsoleSession.id_hash == id_hash)
                                  .values(locale=locale))

    async def delete_session(self, id_hash: str) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                delete(ConsoleSession).where(ConsoleSession.id_hash == id_hash))
            return bool(result.rowcount)

    async def delete_sessions_of(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(ConsoleSession).where(ConsoleSession.telegram_id == telegram_id))
            return int(result.rowcount or 0)

    async def erase_person(self, telegram_id: int) -> int:
        """/forget: every sign-in link and browser session of the person goes (an open
        console tab is signed out on its next request)."""
        async with self._db.session() as session:
            tokens = await session.execute(delete(ConsoleLoginToken).where(
                ConsoleLoginToken.telegram_id == telegram_id))
            sessions = await session.execute(delete(ConsoleSession).where(
                ConsoleSession.telegram_id == telegram_id))
            return int(tokens.rowcount or 0) + int(sessions.rowcount or 0)

    async def purge(self, now: datetime, idle_before: datetime) -> int:
        """Deletes links past their time or used, and sessions past either limit."""
        async with self._db.session() as session:
            tokens = await session.execute(delete(ConsoleLoginToken).where(
                or_(ConsoleLoginToken.expires_at <= now, ConsoleLoginToken.used_at.is_not(None))))
            sessions = await session.execute(delete(ConsoleSession).where(
                or_(ConsoleSession.expires_at <= now,
                    ConsoleSession.last_seen_at <= idle_before)))
            return int(tokens.rowcount or 0) + int(sessions.rowcount or 0)
