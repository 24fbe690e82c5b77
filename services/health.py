"""Readiness: is the database answering, and is the Bot API reachable?"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage.db import Database, DatabaseUnavailable

PROBE_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: bool
    checks: dict[str, str]
    # Messages to people given up on in the last 24 hours (blocked, chat gone, retries
    # exhausted): not a failure of this service, but what staff should look at.
    undelivered_last_day: int | None = None


class HealthService:
    def __init__(self, database: Database, bot_api_probe: Callable[[], Awaitable[object]],
                 undelivered: Callable[[], Awaitable[int]] | None = None):
        self._database = database
        self._bot_api_probe = bot_api_probe
        self._undelivered = undelivered

    async def check(self) -> HealthReport:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self._database.ping(), PROBE_TIMEOUT)
            checks["database"] = "ok"
        except (DatabaseUnavailable, TimeoutError) as exc:
            checks["database"] = f"unreachable: {exc or 'timeout'}"
        try:
            await asyncio.wait_for(self._bot_api_probe(), PROBE_TIMEOUT)
            checks["bot_api"] = "ok"
        except Exception as exc:  # any failure of the probe means "not reachable"
            checks["bot_api"] = f"unreachable: {type(exc).__name__}: {exc or 'timeout'}"
        undelivered = None
        if self._undelivered is not None and checks["database"] == "ok":
            undelivered = await asyncio.wait_for(self._undelivered(), PROBE_TIMEOUT)
        return HealthReport(all(v == "ok" for v in checks.values()), checks, undelivered)
