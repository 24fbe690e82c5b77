"""The command line's staff actions in the audit log admins read at /console/audit.

A terminal has no Telegram account: rows carry services.audit.COMMAND_LINE_ACTOR and the
operating-system user who ran the command ("operator" in the detail), channel "cli", and the
same action keys as the console and the bot ("roster.import", "announcements.send", ...)."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping
from typing import Any

from services.actors import Actor
from services.audit import CLI, COMMAND_LINE_ACTOR, AuditLog


def operator() -> str:
    """user@host of whoever runs the command; the uid when the account has no name."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # a container's uid without a passwd entry
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"


class CommandLineAudit:
    """Writes the rows of one command-line run (one operator, one database)."""

    def __init__(self, log: AuditLog) -> None:
        self._log = log
        self._operator = operator()

    async def record(self, action: str, *, target: str = "",
                     detail: Mapping[str, Any] | None = None) -> None:
        await self._log.record(COMMAND_LINE_ACTOR, action, target=target,
                               detail={"operator": self._operator, **(detail or {})},
                               channel=CLI)

    @property
    def log(self) -> AuditLog:
        """For the services this run builds: their front doors write the rows themselves."""
        return self._log

    @property
    def actor(self) -> Actor:
        """The operator, as the features' front doors take whoever acts."""
        return Actor.command_line(self._operator)
