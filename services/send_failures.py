"""Messages to people the send gateway gave up on: kept for staff (/healthz, the console).

The gateway notes a failure without waiting (it sits under every send); a background task
writes the notes in batches. Memory stays bounded: past MAX_PENDING unwritten notes the
oldest are counted and dropped (each one was logged when it happened).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import utcnow
from storage.repositories.send_failures import SendFailureRepository

log = logging.getLogger(__name__)

MAX_PENDING = 1000
FLUSH_SECONDS = 0.5
PRUNE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class FinalFailure:
    chat_id: int
    method: str
    outcome: str  # services.delivery.protocol.Outcome's value
    reason: str
    at: datetime | None = None


class SendFailureLog:
    def __init__(self, repository: SendFailureRepository, retention_days: int) -> None:
        self.repository = repository
        # Kept as long as the conversation log (they name the person's chat).
        self.retention = timedelta(days=retention_days)
        self._pending: list[dict] = []
        self._dropped = 0
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def note(self, failure: FinalFailure) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._pending.pop(0)
            self._dropped += 1
        self._pending.append({"at": failure.at or utcnow(), "chat_id": failure.chat_id,
                              "method": failure.method[:32], "outcome": failure.outcome[:16],
                              "reason": failure.reason[:300]})

    def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._flush_loop())

    async def close(self) -> None:
        """Writes what is left (asked to stop, never cancelled mid-write)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        rows, self._pending = self._pending, []
        if self._dropped:
            log.warning("%s undelivered-message records were dropped (too many at once)",
                        self._dropped)
            self._dropped = 0
        try:
            await self.repository.add_many(rows)
        except Exception:
            # Kept for the next round, within the bound; never lost to a brief outage.
            self._pending = (rows + self._pending)[-MAX_PENDING:]
            raise

    async def _flush_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), FLUSH_SECONDS)
            if self._stopping.is_set():
                return
            try:
                if self._pending:
                    await self.flush()
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_SECONDS
                    await self.repository.prune_before(utcnow() - self.retention)
            except Exception:
                log.exception("recording undelivered messages failed; retrying")

    async def count_last_day(self) -> int:
        return await self.repository.count_since(utcnow() - timedelta(days=1))

    async def latest(self, limit: int = 10) -> list[FinalFailure]:
        """The newest final failures, newest first: what staff see on the console."""
        return [FinalFailure(row.chat_id, row.method, row.outcome, row.reason, row.at)
                for row in await self.repository.latest(limit)]
