"""The staff audit log: who did what, when, to what. Written by the console, read by admins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.models import utcnow
from storage.repositories.audit import AuditFilter, AuditRecord, AuditRepository

TARGET_LIMIT = 256
DETAIL_LIMIT = 4000


class AuditLog:
    def __init__(self, repository: AuditRepository,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._clock = clock

    async def record(self, telegram_id: int, action: str, target: str = "",
                     detail: str = "") -> None:
        # Cut rather than refuse: an action that happened must be logged even if long.
        await self._repository.add(telegram_id, action, target[:TARGET_LIMIT],
                                   detail[:DETAIL_LIMIT], self._clock())

    async def search(self, wanted: AuditFilter, page: int, per_page: int
                     ) -> tuple[list[AuditRecord], int]:
        return await self._repository.page(wanted, (page - 1) * per_page, per_page)

    async def actions(self) -> list[str]:
        return await self._repository.actions()

    async def actors(self) -> list[int]:
        return await self._repository.actors()
