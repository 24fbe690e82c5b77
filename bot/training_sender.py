"""Trainings' Telegram side: reminders and notices sent within the shared flood budget.

Each send first waits for a token from the delivery engine's limiter (the one announcements
use) and is marked as broadcast traffic, so replies to people keep their reserve and go first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.telegram_sender import broadcast_traffic, classify
from services.delivery.limits import RateLimiter
from services.delivery.protocol import Outcome
from services.trainings.messenger import Buttons, SendOutcome

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_UNREACHABLE = {Outcome.BLOCKED, Outcome.CHAT_NOT_FOUND, Outcome.FAILED}


class TelegramTrainingMessenger:
    """Implements services.trainings.messenger.TrainingMessenger with PTB."""

    def __init__(self, bot: Bot, limiter: RateLimiter) -> None:
        self.bot = bot
        self.limiter = limiter

    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
             for row in buttons]) if buttons else None
        return await self._call(chat_id, lambda: self.bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=_NO_PREVIEW))

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome:
        return await self._call(chat_id, lambda: self.bot.send_document(
            chat_id, data, filename=filename, caption=caption_html, parse_mode=ParseMode.HTML))

    async def _call(self, chat_id: int, call: Callable[[], Awaitable[object]]) -> SendOutcome:
        await self.limiter.acquire(chat_id)
        try:
            with broadcast_traffic():
                await call()
        except TelegramError as error:
            result = classify(error)
            if result.outcome == Outcome.RETRY_AFTER and result.retry_after:
                # Telegram says wait: the shared limiter holds that chat (or all broadcasts).
                self.limiter.pause(chat_id, result.retry_after)
            return (SendOutcome.UNREACHABLE if result.outcome in _UNREACHABLE
                    else SendOutcome.RETRY)
        return SendOutcome.SENT
