"""The console's attachments reach Telegram here: sent once to the composing staff member's
chat (or the staff chat), so the broadcast can reuse Telegram's file_id."""

from __future__ import annotations

import logging

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from services.announcements.media_upload import Attachment, MediaKind
from services.delivery.limits import RateLimiter

log = logging.getLogger(__name__)


class TelegramMediaUploader:
    """Implements services.announcements.media_upload.MediaUploader with PTB."""

    def __init__(self, bot: Bot, limiter: RateLimiter) -> None:
        self.bot = bot
        self.limiter = limiter

    async def upload(self, chat_id: int, attachment: Attachment, caption_html: str) -> str | None:
        await self.limiter.acquire(chat_id)
        upload = InputFile(attachment.data, filename=attachment.filename)
        try:
            if attachment.kind == MediaKind.PHOTO:
                sent: Message = await self.bot.send_photo(
                    chat_id, upload, caption=caption_html, parse_mode=ParseMode.HTML)
                # The largest size: the one Telegram sends on when the file_id is reused.
                return sent.photo[-1].file_id if sent.photo else None
            sent = await self.bot.send_document(chat_id, upload, caption=caption_html,
                                                parse_mode=ParseMode.HTML)
            return sent.document.file_id if sent.document else None
        except TelegramError as error:
            log.warning("console upload of %s to %s failed: %s", attachment.kind, chat_id, error)
            return None
