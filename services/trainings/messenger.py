"""How trainings reach people outside a reply: the handlers layer implements this with PTB.

Kept this small so that reminders can move onto the shared delivery engine (issue 5) by
implementing the same two calls on top of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

# Rows of (label, callback data); labels are already translated.
Buttons = Sequence[Sequence[tuple[str, str]]]


class SendOutcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot, or the chat is gone: do not try again
    RETRY = "retry"  # flood limit, network or server error: try again later


class TrainingMessenger(Protocol):
    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome: ...

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome: ...
