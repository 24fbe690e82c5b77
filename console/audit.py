"""`await audit(request, "roster.update", target="legal mon 09:00", detail=...)` from a view:
records who (the signed-in viewer) did what to what, now, in the audit log admins read.
The bot (handlers/audit_trail.py) and the command line (bot/cli_audit.py) write to the same
log under the same action keys; this module marks the console's rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from console.auth import viewer
from console.keys import SERVICES
from services.audit import CONSOLE


async def audit(request: web.Request, action: str, *, target: str = "",
                detail: str | Mapping[str, Any] = "") -> None:
    # A dict is stored as JSON by the service, as the bot's and the command line's details.
    await request.app[SERVICES].audit.record(viewer(request).telegram_id, action,
                                             target=target, detail=detail, channel=CONSOLE)
