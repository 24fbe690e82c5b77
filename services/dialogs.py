"""Multi-step dialogs (profile, questions, ideas, announcements, courses) kept in storage.

One dialog per person at a time: starting a new one replaces the old, which is what a user
who types another command half-way expects.
"""

from __future__ import annotations

from typing import Any

from storage.repositories.drafts import DraftRepository, DraftState

# People known to have no dialog open. Every message is checked against dialogs first, and
# almost none belongs to one; the set spares a read on most messages. It holds while no draft
# was written anywhere (DraftRepository.version: another bot process shares the table).
MAX_KNOWN_IDLE = 100_000


class DialogService:
    def __init__(self, drafts: DraftRepository) -> None:
        self._drafts = drafts
        self._idle: set[int] = set()
        self._idle_version: int | None = None
        self._saves = 0  # a read that overlapped a save must not mark anyone idle

    def _saved(self, telegram_id: int) -> None:
        self._saves += 1
        self._idle.discard(telegram_id)

    async def current(self, telegram_id: int) -> DraftState | None:
        version = self._drafts.version()
        if version != self._idle_version:
            self._idle.clear()
            self._idle_version = version
        if telegram_id in self._idle:
            return None
        saves = self._saves
        state = await self._drafts.get(telegram_id)
        if state is None and saves == self._saves and self._drafts.version() == version:
            if len(self._idle) >= MAX_KNOWN_IDLE:
                self._idle.clear()
            self._idle.add(telegram_id)
        return state

    async def start(self, telegram_id: int, flow: str, step: str, **data: Any) -> DraftState:
        state = DraftState(flow=flow, step=step, data=dict(data))
        self._saved(telegram_id)
        await self._drafts.save(telegram_id, state)
        self._saved(telegram_id)
        return state

    async def advance(self, telegram_id: int, state: DraftState, step: str, **data: Any) -> None:
        state.step = step
        state.data.update(data)
        self._saved(telegram_id)
        await self._drafts.save(telegram_id, state)
        self._saved(telegram_id)

    async def finish(self, telegram_id: int) -> None:
        await self._drafts.clear(telegram_id)
        self._idle.add(telegram_id)

    async def discard(self, telegram_id: int) -> int:
        """/forget: drops the dialog in progress; returns 1 if there was one."""
        dropped = await self._drafts.clear(telegram_id)
        self._idle.add(telegram_id)
        return dropped
