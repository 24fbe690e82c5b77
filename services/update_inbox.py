"""The durable update inbox: an update is stored before Telegram is told it arrived, handed to
the handlers (from memory when nothing older waits, else from the database), and marked once
its handling has finished.

So a kill -9 loses nothing Telegram was told we have: at start-up the feeder hands over
whatever is stored and unmarked. The only updates handled twice are those whose handling had
finished but whose mark was not yet committed at the kill (marks ride along with the next
kept update, or are written within MARK_DELAY, in groups). Memory stays flat whatever the
backlog: at most `window` updates are held outside the database, and past `backlog_limit`
stored-but-unhandled updates the intake refuses more (the webhook answers "retry later",
polling stops fetching) until the handlers catch up.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from storage.models.base import utcnow
from storage.repositories.inbound_updates import InboundUpdateRepository

log = logging.getLogger(__name__)

HandOver = Callable[[int, str], Awaitable[None]]
# Updates handed to the handlers and not finished yet, at most: the processor runs 32 at once,
# so this keeps every slot busy while the rest wait in the database.
DEFAULT_WINDOW = 128
# How long the feeder sleeps when nothing woke it: a safety net, every change wakes it.
IDLE_POLL = 1.0
RETRY_PAUSE = 1.0
# Marks of finished updates wait this long for company: they are written together, or ride
# along with the next update kept. Each write is one more turn of SQLite's single writer, and
# a mark a turn slowed every reply under load. A kill -9 may thus have an update handled twice
# if it finished within this time before the kill.
MARK_DELAY = 0.1


class UpdateInbox:
    def __init__(self, repository: InboundUpdateRepository, *, backlog_limit: int,
                 window: int = DEFAULT_WINDOW) -> None:
        self._repository = repository
        self._limit = backlog_limit
        self._window = window
        self._backlog = 0  # stored and not yet marked processed
        self._handed: set[int] = set()  # handed over, mark not yet committed
        self._in_flight = 0  # handed over, handling not finished
        self._to_mark: list[int] = []
        self._to_keep: list[tuple[int, str, asyncio.Future[bool]]] = []
        self._keeper: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._mark_wake = asyncio.Event()
        self._feeder: asyncio.Task[None] | None = None
        self._marker: asyncio.Task[None] | None = None
        self._closing = False
        self._needs_room = False
        self._hand_over: HandOver | None = None
        self._hold: Callable[[], bool] = lambda: False
        # A read of unhandled rows that began before a mark was committed still returns that
        # row: a marked id is remembered (with the number of reads begun by then) until a read
        # begun after the commit has finished. Reads never wait for marks (a lock between them
        # put every read behind the SQLite write gate).
        self._reads_begun = 0
        self._reading = False
        self._just_marked: dict[int, int] = {}

    async def open(self) -> None:
        """Counts what an earlier run stored but did not finish: it is handled first."""
        self._backlog = await self._repository.count_unprocessed()
        if self._backlog:
            log.info("update inbox: %d updates kept from the last run will be handled",
                     self._backlog)

    @property
    def backlog(self) -> int:
        return self._backlog

    @property
    def full(self) -> bool:
        return self._backlog >= self._limit

    @property
    def idle(self) -> bool:
        """Nothing stored unhandled, nothing being handled, no mark waiting to be written."""
        return not (self._backlog or self._in_flight or self._to_mark or self._to_keep)

    async def keep(self, update_id: int, payload: str) -> bool:
        """Stores one update (committed when this returns); False if it was stored before."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._to_keep.append((update_id, payload, future))
        if self._keeper is None or self._keeper.done():
            # Group commit: callers arriving while a write runs go together in the next one.
            self._keeper = asyncio.create_task(self._drain_keeps(), name="update-inbox-keep",
                                               context=contextvars.Context())
        return await future

    async def keep_many(self, updates: Sequence[tuple[int, str]]) -> int:
        """Stores a fetched batch in one transaction; returns how many were new."""
        marks = self._take_marks()
        try:
            new = await self._repository.keep(updates, marks)
        except Exception:
            self._to_mark[:0] = marks
            raise
        self._marks_committed(marks)
        await self._stored([(uid, payload) for uid, payload in updates if uid in new])
        return len(new)

    def _take_marks(self) -> list[int]:
        marks, self._to_mark = self._to_mark, []
        return marks

    def _marks_committed(self, batch: list[int]) -> None:
        if not batch:
            return
        if self._reading:  # only a read in progress can still return these rows
            begun = self._reads_begun
            for uid in batch:
                self._just_marked[uid] = begun
        self._handed.difference_update(batch)
        self._backlog = max(0, self._backlog - len(batch))

    async def _stored(self, new: list[tuple[int, str]]) -> None:
        """Counts newly kept updates and gets them handed over.

        When nothing older waits in the database, they are handed over from memory at once:
        the feeder's read would only find these same rows, one more trip to the database on
        every update's way to the handlers."""
        if not new:
            return
        waiting_unhanded = self._backlog - len(self._handed)
        self._backlog += len(new)
        if (self._hand_over is None or self._closing or waiting_unhanded > 0
                or self._window - self._in_flight < len(new) or self._hold()):
            self._wake.set()
            return
        for uid, payload in sorted(new):
            await self._hand_over_one(self._hand_over, uid, payload)

    async def _drain_keeps(self) -> None:
        while self._to_keep:
            batch, self._to_keep = self._to_keep, []
            marks = self._take_marks()
            try:
                new = await self._repository.keep([(uid, payload) for uid, payload, _ in batch],
                                                  marks)
            except Exception as exc:  # every request waiting on this write gets the failure
                self._to_mark[:0] = marks
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self._marks_committed(marks)
            await self._stored([(uid, payload) for uid, payload, _ in batch if uid in new])
            for uid, _, future in batch:
                if not future.done():
                    future.set_result(uid in new)

    def start(self, hand_over: HandOver, *, hold: Callable[[], bool] = lambda: False) -> None:
        """Starts handing stored updates over, oldest first; `hold()` true pauses it."""
        self._hand_over = hand_over
        self._hold = hold
        self._feeder = asyncio.create_task(self._feed(hand_over, hold), name="update-inbox-feed",
                                           context=contextvars.Context())
        self._marker = asyncio.create_task(self._mark_loop(), name="update-inbox-mark",
                                           context=contextvars.Context())

    async def _feed(self, hand_over: HandOver, hold: Callable[[], bool]) -> None:
        held = False
        while not self._closing:
            self._wake.clear()
            room = self._window - self._in_flight
            if hold():
                if not held:
                    log.warning("update inbox: handing over paused until the conversation log "
                                "catches up")
                held = True
                await self._sleep(IDLE_POLL)
                continue
            held = False
            if room <= 0:
                self._needs_room = True  # the next finished update wakes the feeder
                await self._sleep(IDLE_POLL)
                continue
            self._reads_begun += 1
            this_read = self._reads_begun
            limit = room + len(self._handed) + len(self._just_marked)
            self._reading = True
            try:
                rows = await self._repository.unprocessed(limit)
            except Exception:
                log.exception("update inbox: cannot read stored updates; retrying")
                await self._sleep(RETRY_PAUSE)
                continue
            finally:
                self._reading = False
            fresh = [(uid, payload) for uid, payload in rows
                     if uid not in self._handed and uid not in self._just_marked][:room]
            self._forget_marks_seen_by(this_read)
            for uid, payload in fresh:
                await self._hand_over_one(hand_over, uid, payload)
            if len(rows) < limit:
                # Everything stored is handed over: sleep until an update is kept (or room is
                # needed), rather than reading again after every finished update.
                await self._sleep(IDLE_POLL)

    async def _hand_over_one(self, hand_over: HandOver, uid: int, payload: str) -> None:
        self._handed.add(uid)
        self._in_flight += 1
        try:
            await hand_over(uid, payload)
        except Exception:
            log.exception("update inbox: update %s could not be handed over; set aside", uid)
            self.finished(uid)

    def _forget_marks_seen_by(self, read: int) -> None:
        """Marks committed before `read` began: no later read can return their rows."""
        if self._just_marked:
            self._just_marked = {uid: begun for uid, begun in self._just_marked.items()
                                 if begun >= read}

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    def finished(self, update_id: int) -> None:
        """Called when the handlers are done with an update (whatever the outcome)."""
        if update_id not in self._handed:
            return
        self._in_flight -= 1
        self._to_mark.append(update_id)
        self._mark_wake.set()
        if self._needs_room:
            self._needs_room = False
            self._wake.set()

    async def _mark_loop(self) -> None:
        while True:
            await self._mark_wake.wait()
            if not self._closing:
                await asyncio.sleep(MARK_DELAY)
            self._mark_wake.clear()
            if self._to_mark and not await self._write_marks() and not self._closing:
                await asyncio.sleep(RETRY_PAUSE)
                self._mark_wake.set()
            if self._closing:
                return  # close() writes whatever finishes after this

    async def _write_marks(self) -> bool:
        batch = self._take_marks()
        try:
            await self._repository.keep((), batch)
        except Exception:
            self._to_mark[:0] = batch
            log.exception("update inbox: cannot mark %d updates handled; retrying", len(batch))
            return False
        self._marks_committed(batch)
        return True

    async def stop_feeding(self) -> None:
        """Hands nothing more over; what is stored stays for the next start."""
        self._closing = True
        self._wake.set()
        if self._feeder is not None:
            await self._feeder  # asked to stop, never cancelled mid-query
            self._feeder = None

    async def close(self) -> None:
        """Writes the marks of everything finished; unfinished updates stay for the next run."""
        await self.stop_feeding()
        if self._keeper is not None:
            await self._keeper
        if self._marker is not None:
            self._mark_wake.set()
            await self._marker
            self._marker = None
        if self._to_mark and not await self._write_marks():
            log.warning("update inbox: %d handled updates stay unmarked and will be handled "
                        "again at the next start", len(self._to_mark))

    async def close_database(self) -> None:
        """Closes the inbox's own connection pool, if it has one (PostgreSQL)."""
        await self._repository.close_if_own()

    async def purge_processed(self, older_than: timedelta) -> int:
        removed = await self._repository.purge_processed_before(utcnow() - older_than)
        if removed:
            log.info("update inbox: removed %d handled updates", removed)
        return removed
