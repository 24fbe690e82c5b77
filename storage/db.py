"""The async engine and sessions, for SQLite (the default) and PostgreSQL alike."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from storage.shared_versions import SharedVersions, shared_versions_for
from storage.write_tracking import TableVersions, WriteTracking

SQLITE_BUSY_TIMEOUT_MS = 5000


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached; the message says why in plain words."""


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while the log writer commits; foreign keys are off by default in
    # SQLite; the busy timeout makes concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Enough connections that readers never queue behind writers waiting for the gate.
        # No rollback when a connection goes back to the pool: every session has committed or
        # rolled back by then, and for SQLite that rollback is one more trip to its thread.
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                                     pool_size=20, max_overflow=44, pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    # No rollback on return (as for SQLite), and no pre-ping on every checkout: asyncpg's
    # ping is BEGIN, a query and ROLLBACK, three round trips that more than doubled each
    # session's (the hotline bench's profile). A connection idle for a while is pinged.
    engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_reset_on_return=None)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    return engine


# A server restart or a dropped idle connection shows after a pause; a connection in steady
# use proves itself by its last session.
PING_IDLE_SECONDS = 10.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    checked_in = record.info.get("checked_in_at")
    if checked_in is not None and time.monotonic() - checked_in < PING_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:  # the driver's own errors: the pool replaces the connection
        raise DisconnectionError() from exc


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        session_class = type("HotlineSession", (Session,), {})  # events for this engine only
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False,
                                            sync_session_class=session_class)
        self._tracking = WriteTracking(self.engine, session_class,
                                       gate=self.engine.dialect.name == "sqlite",
                                       shared=shared_versions_for(self.engine.url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._tracking.session_scope(), self._sessions() as session, session.begin():
            yield session

    @property
    def table_versions(self) -> TableVersions:
        """Moved by every write this process makes to a table and, for the tables other
        processes change too, by theirs (see storage.write_tracking)."""
        return self._tracking.versions

    @property
    def shared_versions(self) -> SharedVersions:
        """Moved only by committed changes that matter to caches, from any process (see
        storage.cache_triggers): for caches of tables this process writes all the time."""
        return self._tracking.versions.shared

    async def watch_changes(self) -> None:
        """Connects the source of the shared versions before the first update arrives."""
        await self.shared_versions.start()

    async def ping(self) -> None:
        """Raises DatabaseUnavailable unless a trivial query answers."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # the driver's own errors differ per backend
            raise DatabaseUnavailable(_describe(exc)) from exc

    async def close(self) -> None:
        await self.shared_versions.close()
        await self.engine.dispose()


def _describe(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return message[0] if message else type(exc).__name__
