"""An in-process hub that tells open console pages a case changed, so they refresh at once.

The case and relay services publish a case's id after every change (a message relayed or
edited, an offer, a claim, a transfer, a closing, a reopening, a rating); each live page
(Server-Sent Events, console/pages/live.py) listens. Only the id travels: the page fetches
what it may see through the usual, role-checked views. No new infrastructure: the bot and
the console run in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

# A listener this far behind is a stalled page: it refetches everything on its next event
# anyway, so dropping the excess loses nothing.
BACKLOG = 100
STOP = -1  # the server is shutting down: every stream ends


class CaseEvents:
    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue[int]] = set()

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
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def stop(self) -> None:
        """Ends every stream (at shutdown), so no open page holds the server up."""
        for queue in list(self._listeners):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(STOP)
