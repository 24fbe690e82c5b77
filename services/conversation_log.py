"""Stores every message in and out, written in batches off the hot path.

A reply never waits for the log: `record` only appends to memory, and a background task
writes what has gathered every half second (or sooner when a batch fills up).

One bad entry never blocks the rest: a batch the database refuses is written entry by entry,
and an entry refused on its own is set aside with one log line. Entries are kept (and retried)
only while the database itself fails. Memory is bounded in two steps: past `HIGH_WATER`
unwritten entries `behind` turns true and the update inbox stops handing updates over (so
Telegram waits rather than anything being lost); past `MAX_PENDING` the oldest are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from storage.models import utcnow
from storage.repositories.conversation import ConversationRepository
from storage.row_errors import describe_row_error, is_row_error, out_of_range_column, storable_text

log = logging.getLogger(__name__)

# Bounds: the longest text kept per entry; unwritten entries past which updates wait (the
# backpressure), and past which the oldest are dropped (only if that did not hold them).
MAX_TEXT = 8192
HIGH_WATER = 20_000
MAX_PENDING = 100_000
# While the database fails, the writer tries again after this long (not every tick).
RETRY_PAUSE = 2.0


@dataclass(slots=True)
class LogEntry:
    chat_id: int
    direction: str
    kind: str
    telegram_id: int | None = None
    message_id: int | None = None
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    version: int = 0
    text: str | None = None
    media_ref: str | None = None
    created_at: datetime = field(default_factory=utcnow)


class ConversationLog:
    def __init__(
        self,
        repository: ConversationRepository,
        *,
        flush_interval: float = 0.5,
        batch_size: int = 500,
    ) -> None:
        self._repository = repository
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._pending: deque[LogEntry] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self._closing = False
        self._dropped = 0  # in the current overflow, for one line at its start and its end
        self.set_aside = 0  # entries refused for good since start

    def record(self, entry: LogEntry) -> None:
        if entry.text is not None:
            entry.text = storable_text(entry.text[:MAX_TEXT])
        if entry.media_ref is not None:
            entry.media_ref = storable_text(entry.media_ref)
        column = out_of_range_column({"chat_id": entry.chat_id, "telegram_id": entry.telegram_id,
                                      "message_id": entry.message_id,
                                      "thread_id": entry.thread_id,
                                      "reply_to_message_id": entry.reply_to_message_id,
                                      "version": entry.version})
        if column is not None:
            self._set_aside(entry, f"{column} does not fit in 64 bits")
            return
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            if not self._dropped:
                log.warning("conversation log: %d entries wait to be written; dropping the "
                            "oldest until the database takes them", MAX_PENDING)
            self._dropped += 1
        self._pending.append(entry)
        if len(self._pending) >= self._batch_size:
            self._wakeup.set()

    def _set_aside(self, entry: LogEntry, reason: str) -> None:
        self.set_aside += 1
        log.warning("conversation log: set aside an entry (chat %s, %s %s, message %s): %s",
                    entry.chat_id, entry.direction, entry.kind, entry.message_id, reason)

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def behind(self) -> bool:
        """True while so much waits to be written that new updates should wait too."""
        return len(self._pending) >= HIGH_WATER

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="conversation-log-writer")

    async def _run(self) -> None:
        failing = 0
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(),
                                       RETRY_PAUSE if failing else self._flush_interval)
            self._wakeup.clear()
            try:
                await self.flush()
            except Exception as exc:  # the database fails: keep the entries, try again
                if not failing:
                    log.warning("conversation log: the database does not take entries (%s); "
                                "%d kept, trying again", describe_row_error(exc), self.pending)
                failing += 1
                continue
            if failing:
                log.info("conversation log: writing again after %d failed attempts", failing)
                failing = 0

    async def flush(self) -> int:
        """Writes everything pending; raises (keeping the entries) only if the database fails."""
        async with self._flush_lock:
            written = 0
            while self._pending:
                batch = [self._pending[i] for i in range(min(self._batch_size, len(self._pending)))]
                try:
                    await self._repository.append_many([asdict(e) for e in batch])
                except Exception as exc:
                    if not is_row_error(exc):
                        raise
                    written += await self._write_one_by_one(len(batch))
                    continue
                for _ in batch:
                    self._pending.popleft()
                written += len(batch)
            if self._dropped:
                log.warning("conversation log: caught up; %d entries were dropped meanwhile",
                            self._dropped)
                self._dropped = 0
            return written

    async def _write_one_by_one(self, count: int) -> int:
        """The first `count` pending entries, each in its own transaction; the refused ones
        are set aside. A database failure stops it, keeping the rest."""
        written = 0
        for _ in range(count):
            entry = self._pending[0]
            try:
                await self._repository.append_many([asdict(entry)])
            except Exception as exc:
                if not is_row_error(exc):
                    raise
                self._set_aside(entry, describe_row_error(exc))
            else:
                written += 1
            self._pending.popleft()
        return written

    async def close(self) -> None:
        """Writes what is left; never raises (what cannot be written is counted in the log)."""
        # The writer is asked to finish, never cancelled: a cancel landing mid-INSERT can leave
        # its connection inside a transaction, and SQLite then refuses every other writer.
        if self._task is not None:
            self._closing = True
            self._wakeup.set()
            await self._task
            self._task = None
        try:
            await self.flush()
        except Exception as exc:
            log.warning("conversation log: %d entries could not be written at shutdown (%s)",
                        self.pending, describe_row_error(exc))

    async def erase_user(self, telegram_id: int) -> int:
        """Removes the person's part, including entries not yet written."""
        async with self._flush_lock:  # a flush in progress pops from the queue we rebuild
            waiting = len(self._pending)
            self._pending = deque(
                e for e in self._pending if telegram_id not in (e.telegram_id, e.chat_id)
            )
            # Entries not written yet count too: the person sent them all the same.
            unwritten = waiting - len(self._pending)
            return unwritten + await self._repository.erase_user(telegram_id)

    async def purge_expired(self, retention_days: int) -> int:
        cutoff = utcnow() - timedelta(days=retention_days)
        removed = await self._repository.purge_before(cutoff)
        log.info("conversation log retention: removed %d entries older than %s", removed, cutoff)
        return removed

    async def _flush_before_reading(self) -> None:
        """A read shows what is written; if the database fails, the read will say so."""
        with contextlib.suppress(Exception):
            await self.flush()

    async def history(self, telegram_id: int, limit: int = 500) -> list[LogEntry]:
        await self._flush_before_reading()
        rows = await self._repository.for_user(telegram_id, limit)
        return [
            LogEntry(
                chat_id=r.chat_id,
                direction=r.direction,
                kind=r.kind,
                telegram_id=r.telegram_id,
                message_id=r.message_id,
                thread_id=r.thread_id,
                reply_to_message_id=r.reply_to_message_id,
                version=r.version,
                text=r.text,
                media_ref=r.media_ref,
                created_at=r.created_at,
            )
            for r in rows
        ]

    async def count_for_user(self, telegram_id: int) -> int:
        await self._flush_before_reading()
        return await self._repository.count_for_user(telegram_id)
