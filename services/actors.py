"""Who takes an action and where: the person (COMMAND_LINE_ACTOR for a terminal) and the
channel the audit log marks (bot, console, cli). Front doors receive it from the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.audit import BOT, CLI, COMMAND_LINE_ACTOR, CONSOLE


@dataclass(frozen=True, slots=True)
class Actor:
    telegram_id: int
    channel: str
    # Recorded with every audit entry of this actor (the CLI's operator user@host).
    note: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def in_bot(cls, telegram_id: int) -> Actor:
        return cls(telegram_id, BOT)

    @classmethod
    def in_console(cls, telegram_id: int) -> Actor:
        return cls(telegram_id, CONSOLE)

    @classmethod
    def at_command_line(cls, operator: str) -> Actor:
        return cls(COMMAND_LINE_ACTOR, CLI, {"operator": operator})
