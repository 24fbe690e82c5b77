"""The bot's pending updates, shared by getUpdates and webhook delivery as on Telegram."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

# What Telegram delivers when the bot never chose allowed_updates.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    def __init__(self, max_pending: int, first_update_id: int = 100_000_001) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._max_pending = max_pending
        self._next_id = first_update_id
        self._allowed: frozenset[str] | None = None
        self._changed = asyncio.Event()
        self._waiters = 0
        self.closed = False

    @property
    def next_id(self) -> int:
        return self._next_id

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        return None if self._allowed is None else sorted(self._allowed)

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last choice; an empty list means "back to the default"."""
        self._allowed = frozenset(allowed) if allowed else None

    def accepts(self, kind: str) -> bool:
        return kind not in DEFAULT_EXCLUDED if self._allowed is None else kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if not self.accepts(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        if len(self._pending) > self._max_pending:
            self._pending.popleft()
        self._notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates with update_id < offset; a negative offset keeps only the last -offset."""
        pending = self._pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        if limit >= len(self._pending):
            return list(self._pending)
        return [self._pending[i] for i in range(limit)]

    def first(self) -> dict[str, Any] | None:
        return self._pending[0] if self._pending else None

    def drop_first(self, update_id: int) -> None:
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.popleft()

    def clear(self) -> None:
        self._pending.clear()

    async def wait(self, seconds: float) -> None:
        """Until something is pushed or woken, at most `seconds`."""
        if seconds <= 0 or self.closed:
            return
        changed = self._changed
        self._waiters += 1
        try:
            await asyncio.wait_for(changed.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters -= 1

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _notify(self) -> None:
        if self._waiters:
            self.wake()

    def close(self) -> None:
        self.closed = True
        self.wake()
