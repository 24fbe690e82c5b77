"""The staff audit log: who did what, when, to what, and where (the console, the bot or the
command line). One history whatever the channel: the same action keys everywhere
("ideas.status", "cases.reassign", ...). Read by admins at /console/audit."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from storage.models import utcnow
from storage.repositories.audit import AuditFilter, AuditRecord, AuditRepository

TARGET_LIMIT = 256
DETAIL_LIMIT = 4000

CONSOLE, BOT, CLI = "console", "bot", "cli"
CHANNELS = (BOT, CONSOLE, CLI)
# The command line has no Telegram account; its rows name the operating-system user instead.
COMMAND_LINE_ACTOR = 0


def detail_text(detail: str | Mapping[str, Any]) -> str:
    """Structured details are kept as JSON with sorted keys, readable on the admin page."""
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


class AuditLog:
    def __init__(self, repository: AuditRepository,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._repository = repository
        self._clock = clock

    async def record(self, telegram_id: int, action: str, target: str = "",
                     detail: str | Mapping[str, Any] = "", *, channel: str = CONSOLE) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown audit channel {channel!r}")
        # Cut rather than refuse: an action that happened must be logged even if long.
        await self._repository.add(telegram_id, action, target[:TARGET_LIMIT],
                                   detail_text(detail)[:DETAIL_LIMIT], self._clock(), channel)

    async def search(self, wanted: AuditFilter, page: int, per_page: int
                     ) -> tuple[list[AuditRecord], int]:
        return await self._repository.page(wanted, (page - 1) * per_page, per_page)

    async def actions(self) -> list[str]:
        return await self._repository.actions()

    async def actors(self) -> list[int]:
        return await self._repository.actors()
