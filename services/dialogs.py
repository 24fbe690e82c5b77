"""Multi-step dialogs (profile now; ideas, announcements and courses later) kept in storage.

One dialog per person at a time: starting a new one replaces the old, which is what a user
who types another command half-way expects.
"""

from __future__ import annotations

from typing import Any

from storage.repositories.drafts import DraftRepository, DraftState


class DialogService:
    def __init__(self, drafts: DraftRepository) -> None:
        self._drafts = drafts

    async def current(self, telegram_id: int) -> DraftState | None:
        return await self._drafts.get(telegram_id)

    async def start(self, telegram_id: int, flow: str, step: str, **data: Any) -> DraftState:
        state = DraftState(flow=flow, step=step, data=dict(data))
        await self._drafts.save(telegram_id, state)
        return state

    async def advance(self, telegram_id: int, state: DraftState, step: str, **data: Any) -> None:
        state.step = step
        state.data.update(data)
        await self._drafts.save(telegram_id, state)

    async def finish(self, telegram_id: int) -> None:
        await self._drafts.clear(telegram_id)
