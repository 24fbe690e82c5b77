"""A hub that tells open console pages a case changed, so they refresh at once.

The case and relay services publish a case's id after every change (a message relayed or
edited, an offer, a claim, a transfer, a closing, a reopening, a rating); each live page
(Server-Sent Events, console/pages/live.py) listens. Only the id travels: the page fetches
what it may see through the usual, role-checked views.

Changes made by another process (a second bot process, `hotline deliver`, the CLI) reach the
pages through the database: its triggers list every changed case (storage/
case_change_triggers.py), and while a page listens this hub follows that list, waking when
the list's shared version moves (PRAGMA data_version on SQLite, LISTEN on PostgreSQL), and
publishes what it finds. This process's own changes come both ways: a page refreshes once
more, which shows nothing new and costs one fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from storage.repositories.hotline_changed_cases import ChangedCaseRepository

log = logging.getLogger(__name__)

# A listener this far behind is a stalled page: it refetches everything on its next event
# anyway, so dropping the excess loses nothing.
BACKLOG = 100
STOP = -1  # the server is shutting down: every stream ends
EVERY_CASE = 0  # too much changed at once to name: every page refreshes
# How often the shared version is asked (microseconds each): well within the second a page
# has to show a change.
FOLLOW_SECONDS = 0.1
# Changes read in one go; a burst larger than this refreshes every page instead.
BATCH = 500
# On PostgreSQL a change id is taken at insert but seen at commit, so a later id may be
# seen first: the last RECHECK ids are read again, and those already published skipped.
RECHECK = 100
RETRY_SECONDS = 1.0


class CaseEvents:
    def __init__(self, changes: ChangedCaseRepository | None = None) -> None:
        """changes: the database's list of changed cases (None: this process's own only)."""
        self._listeners: set[asyncio.Queue[int]] = set()
        self._changes = changes
        self._follower: asyncio.Task[None] | None = None

    def publish(self, case_id: int | None) -> None:
        if case_id is None:
            return
        for queue in list(self._listeners):
            if not queue.full():
                queue.put_nowait(case_id)

    @contextmanager
    def listen(self) -> Iterator[asyncio.Queue[int]]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=BACKLOG)
        self._listeners.add(queue)
        self._follow_while_listened()
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def stop(self) -> None:
        """Ends every stream (at shutdown), so no open page holds the server up."""
        if self._follower is not None:
            self._follower.cancel()
            self._follower = None
        for queue in list(self._listeners):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(STOP)

    # ------------------------------------------------------------------ other processes

    def _follow_while_listened(self) -> None:
        if self._changes is None or (self._follower is not None and not self._follower.done()):
            return
        self._follower = asyncio.get_running_loop().create_task(
            self._follow(self._changes), name="case-changes-follower")

    async def _follow(self, changes: ChangedCaseRepository) -> None:
        """Publishes the changes any process commits, for as long as a page listens."""
        version: int | None = changes.version()  # before the latest id: a later change moves it
        last = await self._latest(changes)
        published: set[int] = set()
        while self._listeners:
            await asyncio.sleep(FOLLOW_SECONDS)
            current = changes.version()
            if current == version:
                continue
            version = current
            try:
                found = await changes.since(last - RECHECK, BATCH)
            except Exception:  # a failing database must not end the pages
                log.warning("live pages: changed cases unreadable; retrying", exc_info=True)
                version = None  # read again once the database answers
                await asyncio.sleep(RETRY_SECONDS)
                continue
            fresh = [(change, case) for change, case in found if change not in published]
            if len(found) == BATCH:
                self.publish(EVERY_CASE)
                last = await self._latest(changes)
                published.clear()
                continue
            for case in dict.fromkeys(case for _, case in fresh):
                self.publish(case)
            published.update(change for change, _ in fresh)
            last = max([last, *(change for change, _ in found)])
            published = {change for change in published if change > last - RECHECK}

    @staticmethod
    async def _latest(changes: ChangedCaseRepository) -> int:
        with contextlib.suppress(Exception):
            return await changes.latest()
        return 0
