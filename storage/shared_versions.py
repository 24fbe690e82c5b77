"""Versions of the watched tables that move when ANY process commits a change to them.

`versions[table]` is a number that differs from the one read before whenever a change to
that table (storage/cache_triggers.py) has committed since, in this process or any other.
A cache keeps what it read while the number it saw before reading is still the current one;
reading it costs microseconds, so caches ask on every use and a change is seen at once.

- SQLite: one connection of our own, never writing, asks `PRAGMA data_version`, which
  moves only when another connection (any process, or this one's pool) has committed; only
  then does it read the small `cache_versions` table. Both are in-memory reads of SQLite's
  shared WAL index, done synchronously: a thread hop would cost more than the read.
- PostgreSQL: a LISTEN connection receives the triggers' NOTIFY (sent at commit) and bumps
  the table's number. While it is not connected, nothing can be trusted: every read returns
  a new number, so caches read through until it is back.

An error of the version source is never a failure of the caller: the numbers move (caches
read through) and the source is opened again on the next read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import defaultdict
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

from storage.cache_triggers import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

LISTEN_RETRY_SECONDS = 1.0


class SharedVersions:
    """The interface caches see; the base class is for a database no other process can
    reach (SQLite in memory), where the versions moved by this process's writes suffice."""

    def __getitem__(self, table: str) -> int:
        return 0

    async def start(self) -> None:
        """Connects the source early, so the first updates already use the caches."""

    async def close(self) -> None:
        """Releases the source's connection."""


class SqliteSharedVersions(SharedVersions):
    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._versions: dict[str, int] = {}
        self._epoch = 0  # moved when the source failed: what it said before is unknown
        self._failing = False

    def __getitem__(self, table: str) -> int:
        self._refresh()
        return self._versions.get(table, 0) + self._epoch

    def _refresh(self) -> None:
        try:
            if self._connection is None:
                # Autocommit: no statement may leave a read transaction open (it would
                # hold back every checkpoint of the WAL).
                self._connection = sqlite3.connect(self._path, isolation_level=None,
                                                   check_same_thread=False)
                self._connection.execute("PRAGMA busy_timeout=100")
            (data_version,) = self._connection.execute("PRAGMA data_version").fetchone()
            if data_version == self._data_version:
                return
            rows = self._connection.execute("SELECT name, version FROM cache_versions")
            self._versions = dict(rows.fetchall())
            self._data_version = data_version
            self._failing = False
        except sqlite3.Error as error:
            if not self._failing:  # once per spell, not once per read
                log.warning("table versions unreadable (%s); caches read through", error)
                self._failing = True
            self._drop()

    def _drop(self) -> None:
        self._epoch += 1
        self._data_version = None
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresSharedVersions(SharedVersions):
    def __init__(self, url: URL) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._versions: defaultdict[str, int] = defaultdict(int)
        self._epoch = 0
        self._listening = False
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._ready: asyncio.Event | None = None

    def __getitem__(self, table: str) -> int:
        if not self._listening:
            self._epoch += 1
            self._ensure_listening()
        return self._versions[table] + self._epoch

    def _ensure_listening(self) -> None:
        if self._task is not None or self._closed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ready = asyncio.Event()
        self._task = loop.create_task(self._listen(), name="cache-versions-listener")

    async def start(self) -> None:
        self._ensure_listening()
        assert self._ready is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)

    def _changed(self, _connection: Any, _pid: int, _channel: str, table: str) -> None:
        self._versions[table] += 1

    async def _listen(self) -> None:
        while not self._closed:
            lost = asyncio.Event()
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn)
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(NOTIFY_CHANNEL, self._changed)
                # Changes made while nobody listened were missed: start from new numbers.
                self._epoch += 1
                self._listening = True
                assert self._ready is not None
                self._ready.set()
                await lost.wait()
                log.warning("table versions: the LISTEN connection was lost; reconnecting")
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("table versions: cannot LISTEN (%s); caches read through", error)
                assert self._ready is not None
                self._ready.set()  # start() need not wait: caches read through meanwhile
            finally:
                self._listening = False
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            if not self._closed:
                await asyncio.sleep(LISTEN_RETRY_SECONDS)

    async def close(self) -> None:
        self._closed = True
        self._listening = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def shared_versions_for(url: URL) -> SharedVersions:
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresSharedVersions(url)
    if backend == "sqlite" and url.database and url.database != ":memory:":
        return SqliteSharedVersions(url.database)
    return SharedVersions()
