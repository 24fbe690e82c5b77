"""Files for the web console fetched through the bot: getFile, then the download from
Telegram's file server (whose address holds the token, so it stays on this side)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)


class TelegramFileSource:
    """Implements services.console_files.FileSource with PTB."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, file_id: str) -> bytes | None:
        try:
            telegram_file = await self.bot.get_file(file_id)
            return bytes(await telegram_file.download_as_bytearray())
        except TelegramError as error:
            log.warning("console: could not fetch file %s: %s", file_id[:16], error)
            return None
