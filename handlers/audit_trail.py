"""`await audit(update, context, "ideas.status", target=..., detail={...})` after a staff action
in the bot succeeded: it goes to the same audit log as the console's actions, under the same
action keys, marked as taken in the bot, so admins see one history at /console/audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import Update

from handlers.context import HotlineContext
from services.audit import BOT
from storage.models import Role

STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})


def acts_as_staff(context: HotlineContext) -> bool:
    """Buttons experts also press (close, transfer) are staff actions only in staff hands."""
    return bool(STAFF_ROLES & context.roles)


async def audit(update: Update, context: HotlineContext, action: str, *, target: str = "",
                detail: str | Mapping[str, Any] = "") -> None:
    await context.services.audit.record(update.effective_user.id, action, target=target,
                                        detail=detail, channel=BOT)

