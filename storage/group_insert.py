"""Group commit: rows of one table that arrive together are written in one transaction.

Every relayed message adds a transcript row, and the caller must know it is stored before it
moves on (the next message of the chat may reply to it). One transaction per row makes the
single SQLite writer the bottleneck at a hundred messages a second; here a caller that arrives
while a write is in progress waits for the next one, which takes everyone who arrived
meanwhile. Under light load that is one row per transaction, as before, with no added wait.

A batch the database refuses is written row by row: the good rows are stored, the refused one
fails its own caller only, with one log line saying why. Memory needs no cap here: every
caller waits for its row, so the rows pending are at most the callers (updates) in flight.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from sqlalchemy import Table, insert

from storage.db import Database
from storage.row_errors import describe_row_error, is_row_error, storable_row

log = logging.getLogger(__name__)

MAX_BATCH = 500


class GroupInsert:
    def __init__(self, database: Database, table: Table, id_column: str = "id") -> None:
        self._db = database
        self._table = table
        self._id = table.c[id_column]
        self._pending: list[tuple[dict[str, Any], asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def insert(self, values: dict[str, Any]) -> int:
        """Stores the row and returns its id once it is committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((storable_row(values), future))
        if self._writer is None or self._writer.done():
            # A fresh context: the writer is nobody's session, whoever happened to start it.
            self._writer = asyncio.create_task(self._drain(), name=f"group-insert-{self._table}",
                                               context=contextvars.Context())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                ids = await self._write([values for values, _ in batch])
            except Exception:  # one bad row (a constraint) must not fail the others with it
                log.debug("batch insert into %s failed; writing its rows one by one",
                          self._table, exc_info=True)
                for values, future in batch:
                    await self._write_one(values, future)
                continue
            for (_, future), row_id in zip(batch, ids, strict=True):
                if not future.done():
                    future.set_result(row_id)

    async def _write_one(self, values: dict[str, Any], future: asyncio.Future[int]) -> None:
        try:
            (row_id,) = await self._write([values])
        except Exception as exc:
            if is_row_error(exc):
                log.warning("%s: a row was refused and set aside: %s", self._table,
                            describe_row_error(exc))
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(row_id)

    async def _write(self, rows: list[dict[str, Any]]) -> list[int]:
        statement = insert(self._table).returning(self._id, sort_by_parameter_order=True)
        async with self._db.session() as session:
            result = await session.execute(statement, rows)
            return list(result.scalars())
