"""What happened in the sandbox, in order, for the chat page and the test helpers.

Events keep a reference to the message dict they are about (messages are replaced, not
mutated, on edit), so publishing costs no copy and rendering happens only when someone reads.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Event:
    seq: int
    type: str  # message, edit, delete, callback_answer, chat_action, topic, member
    chat_id: int
    thread_id: int | None = None
    message: dict[str, Any] | None = None
    outgoing: bool = False
    extra: dict[str, Any] | None = None


class EventLog:
    def __init__(self, size: int, last_seq: int = 0) -> None:
        self._events: deque[Event] = deque(maxlen=size)
        self.last_seq = last_seq
        self._changed = asyncio.Event()
        self._waiters = 0
        self._closed = False

    def publish(
        self,
        kind: str,
        chat_id: int,
        *,
        thread_id: int | None = None,
        message: dict[str, Any] | None = None,
        outgoing: bool = False,
        **extra: Any,
    ) -> Event:
        self.last_seq += 1
        event = Event(self.last_seq, kind, chat_id, thread_id, message, outgoing, extra or None)
        self._events.append(event)
        if self._waiters:
            self._changed.set()
            self._changed = asyncio.Event()
        return event

    def since(self, after: int, limit: int | None = None) -> list[Event]:
        """Events with seq > after, oldest first; walks back from the end, so cost ~ result."""
        found: list[Event] = []
        for event in reversed(self._events):
            if event.seq <= after:
                break
            found.append(event)
        found.reverse()
        return found if limit is None else found[:limit]

    async def wait(self, after: int, seconds: float) -> list[Event]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            found = self.since(after)
            remaining = deadline - loop.time()
            if found or remaining <= 0 or self._closed:
                return found
            changed = self._changed
            self._waiters += 1
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters -= 1

    def close(self) -> None:
        """Wake every waiter for good (the log is being replaced or the server stops)."""
        self._closed = True
        self._changed.set()
