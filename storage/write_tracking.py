"""What each session writes: a fair queue for SQLite's single writer, and table versions.

Both hang off SQLAlchemy's cursor events and a per-session state kept in a context variable
(SQLAlchemy runs the events in the session's own task, inside its greenlet).

- The write gate. SQLite has a single writer. Left to itself, every other connection that
  wants to write polls the lock in its own thread with sleeps of up to 100 ms, in no
  particular order: under load a write waits for seconds, or gives up with "database is
  locked". The gate is taken at a session's first INSERT/UPDATE/DELETE and released as soon as
  its transaction ends, so this process's writers queue in order instead; other processes
  (the CLI, a second sender) still meet the busy timeout. Reads never wait for it (WAL).
- Table versions. A counter per table, moved when a statement writes to it and again when the
  transaction that wrote it has ended. A cache of rows read from a table is good for as long
  as the table's version has not moved since before the read began. For the tables other
  processes change too (storage/cache_triggers.py), the version adds the shared one
  (storage/shared_versions.py), which moves when any process commits a change.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from sqlalchemy.util import await_

from storage.cache_triggers import WATCHED_TABLES
from storage.shared_versions import SharedVersions

# As long as SQLite's own busy timeout would let a writer wait, and then the same error:
# a session that waits, while holding the gate, for another task's write must fail, not hang.
GATE_TIMEOUT_SECONDS = 10.0

_WRITTEN_TABLE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)",
    re.IGNORECASE)


def written_table(statement: str) -> str | None:
    """The table an INSERT/UPDATE/DELETE statement writes to; None for anything else."""
    match = _WRITTEN_TABLE.match(statement)
    return match.group(1).lower() if match else None


class _SessionState:
    __slots__ = ("depth", "held", "over", "written")

    def __init__(self) -> None:
        self.depth = 1  # sessions sharing this state: the outermost one's end settles it
        self.held = False  # holds the SQLite write gate
        self.over = False
        self.written: set[str] = set()


_STATE: ContextVar[_SessionState | None] = ContextVar("hotline_session_state", default=None)


class TableVersions:
    def __init__(self, shared: SharedVersions | None = None) -> None:
        self._versions: defaultdict[str, int] = defaultdict(int)
        self.shared = shared or SharedVersions()

    def __getitem__(self, table: str) -> int:
        if table in WATCHED_TABLES:
            return self._versions[table] + self.shared[table]
        return self._versions[table]

    def bump(self, table: str) -> None:
        self._versions[table] += 1


class WriteTracking:
    """Installed on one engine and its session class; `session_scope` wraps each session."""

    def __init__(self, engine: AsyncEngine, session_class: type[Session], *, gate: bool,
                 shared: SharedVersions | None = None) -> None:
        self.versions = TableVersions(shared)
        self._gate = asyncio.Lock() if gate else None
        event.listen(engine.sync_engine, "before_cursor_execute", self._before_execute)
        # The gate is released as soon as the transaction has ended, not when the session is
        # closed: the next writer need not wait for the connection's return to the pool.
        event.listen(session_class, "after_commit", self._after_transaction)
        event.listen(session_class, "after_rollback", self._after_transaction)

    def _before_execute(self, _conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        table = written_table(statement)
        if table is None:
            return
        self.versions.bump(table)
        state = _STATE.get()
        if state is None or state.over:
            return
        state.written.add(table)
        if self._gate is not None and not state.held:
            # Runs inside SQLAlchemy's greenlet: await_ suspends this session's task only.
            try:
                await_(asyncio.wait_for(self._gate.acquire(), GATE_TIMEOUT_SECONDS))
            except TimeoutError:
                raise OperationalError(statement, None, sqlite3.OperationalError(
                    "database is locked (waited for this process's other writers)")) from None
            state.held = True

    def _after_transaction(self, _session: Session) -> None:
        state = _STATE.get()
        if state is None or state.over or state.depth != 1:
            return
        self._settle(state)

    def _settle(self, state: _SessionState) -> None:
        for table in state.written:
            self.versions.bump(table)
        state.written.clear()
        if state.held:
            state.held = False
            assert self._gate is not None
            self._gate.release()

    @asynccontextmanager
    async def session_scope(self) -> AsyncIterator[None]:
        outer = _STATE.get()
        if outer is not None and not outer.over:  # a session inside a session shares its state
            outer.depth += 1
            try:
                yield
            finally:
                outer.depth -= 1
            return
        state = _SessionState()
        token = _STATE.set(state)
        try:
            yield
        finally:
            _STATE.reset(token)
            self._settle(state)
            state.over = True  # tasks started inside the session must not think they hold it
