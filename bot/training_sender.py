"""Trainings' Telegram side: reminders and notices, sent as broadcast traffic (and, as
interactive traffic, the word to an idea's author that a staff decision causes).

The send gateway (bot/gateway.py) paces them within the shared budget behind replies to
people, waits out 429s and retries; what is left to say here is reachable or not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.gateway import broadcast_traffic, classify
from services.delivery.protocol import Outcome
from services.trainings.messenger import Buttons, SendOutcome

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_UNREACHABLE = {Outcome.BLOCKED, Outcome.CHAT_NOT_FOUND, Outcome.FAILED}


class TelegramTrainingMessenger:
    """Implements services.trainings.messenger.TrainingMessenger with PTB."""

    def __init__(self, bot: Bot, *, broadcast: bool = True) -> None:
        """`broadcast`: the calls wait behind replies to people (reminders, notices); False
        for a word someone's action causes at once, which that person waits for (an idea
        author told of a staff decision)."""
        self.bot = bot
        self._broadcast = broadcast

    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
             for row in buttons]) if buttons else None
        return await self._call(lambda: self.bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=_NO_PREVIEW))

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome:
        return await self._call(lambda: self.bot.send_document(
            chat_id, data, filename=filename, caption=caption_html, parse_mode=ParseMode.HTML))

    async def _call(self, call: Callable[[], Awaitable[object]]) -> SendOutcome:
        try:
            with broadcast_traffic() if self._broadcast else contextlib.nullcontext():
                await call()
        except TelegramError as error:
            # Only final answers get here (the gateway retried what could pass later).
            return (SendOutcome.UNREACHABLE if classify(error).outcome in _UNREACHABLE
                    else SendOutcome.RETRY)
        return SendOutcome.SENT
