"""Stores every message in and out, written in batches off the hot path.

A reply never waits for the log: `record` only appends to memory, and a background task
writes what has gathered every half second (or sooner when a batch fills up).
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

log = logging.getLogger(__name__)

# Bounds: the longest text kept per entry, and how many unwritten entries memory may hold
# while the database is unreachable (the oldest are dropped past that, with a warning).
MAX_TEXT = 8192
MAX_PENDING = 100_000


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

    def record(self, entry: LogEntry) -> None:
        if entry.text is not None and len(entry.text) > MAX_TEXT:
            entry.text = entry.text[:MAX_TEXT]
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            log.warning("conversation log backlog full: dropped the oldest entry")
        self._pending.append(entry)
        if len(self._pending) >= self._batch_size:
            self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="conversation-log-writer")

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._flush_interval)
            self._wakeup.clear()
            try:
                await self.flush()
            except Exception:  # keep the entries and try again on the next tick
                log.exception("conversation log write failed; %d entries kept", self.pending)

    async def flush(self) -> int:
        """Writes everything pending; entries stay queued if the write fails."""
        async with self._flush_lock:
            written = 0
            while self._pending:
                batch = [self._pending[i] for i in range(min(self._batch_size, len(self._pending)))]
                await self._repository.append_many([asdict(e) for e in batch])
                for _ in batch:
                    self._pending.popleft()
                written += len(batch)
            return written

    async def close(self) -> None:
        # The writer is asked to finish, never cancelled: a cancel landing mid-INSERT can leave
        # its connection inside a transaction, and SQLite then refuses every other writer.
        if self._task is not None:
            self._closing = True
            self._wakeup.set()
            await self._task
            self._task = None
        await self.flush()

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

    async def history(self, telegram_id: int, limit: int = 500) -> list[LogEntry]:
        await self.flush()
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
        await self.flush()
        return await self._repository.count_for_user(telegram_id)
