"""Who takes a staff action, and through which channel: what a feature's front door needs to
decide whether the action is allowed and to write the one audit entry for it.

Each edge builds the actor from what it knows (the bot from the person and their roles, the
console from the signed-in viewer, the command line from the operating-system user, who
holds every power there, as anyone who can open the database does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.audit import BOT, CLI, COMMAND_LINE_ACTOR, CONSOLE, AuditLog
from services.refusals import Refused
from storage.models import Role

STAFF_ROLES = frozenset({Role.STAFF.value, Role.ADMIN.value})


@dataclass(frozen=True, slots=True)
class Actor:
    telegram_id: int
    roles: frozenset[str]
    channel: str = BOT  # services.audit.BOT, CONSOLE or CLI
    operator: str | None = None  # the command line's operating-system user, kept in its rows
    in_staff_chat: bool = False  # a bot press made in the staff group (a case's Claim there)

    @classmethod
    def in_bot(cls, telegram_id: int, roles: frozenset[str] = frozenset()) -> Actor:
        return cls(telegram_id, frozenset(roles), BOT)

    @classmethod
    def in_console(cls, telegram_id: int, roles: frozenset[str] = frozenset()) -> Actor:
        return cls(telegram_id, frozenset(roles), CONSOLE)

    @classmethod
    def command_line(cls, operator: str) -> Actor:
        return cls(COMMAND_LINE_ACTOR, frozenset(role.value for role in Role), CLI, operator)

    @property
    def note(self) -> dict[str, str]:
        """What every audit entry of this actor also records (the command line's operator).
        Doors that check roles themselves (the roster asks the people service) build actors
        without roles."""
        return {"operator": self.operator} if self.operator is not None else {}

    @property
    def is_staff(self) -> bool:
        """Staff and admins; the command line holds every power (as anyone who can open the
        database does)."""
        return self.channel == CLI or bool(STAFF_ROLES & self.roles)

    def require_staff(self) -> None:
        """The front doors' own check: the edges check too, but a forged or stale request
        that slips past one must still change nothing."""
        if not self.is_staff:
            raise Refused("auth.refused")


async def record_action(audit: AuditLog, actor: Actor, action: str, target: str = "",
                        detail: Mapping[str, Any] | None = None) -> None:
    """The action's audit entry, alike whichever channel took it (the command line's rows
    also name the operator)."""
    entry = dict(detail or {})
    if actor.operator is not None:
        entry = {"operator": actor.operator, **entry}
    await audit.record(actor.telegram_id, action, target=target, detail=entry,
                       channel=actor.channel)


__all__ = ["BOT", "CLI", "CONSOLE", "STAFF_ROLES", "Actor", "record_action"]
