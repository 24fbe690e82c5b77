"""The console's attachments reach Telegram here: sent once to the composing staff member's
chat (or the staff chat), so the broadcast can reuse Telegram's file_id. The send gateway
paces and retries the upload like every other message."""

from __future__ import annotations

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from services.announcements.media_upload import Attachment, MediaKind


class TelegramMediaUploader:
    """Implements services.announcements.media_upload.MediaUploader with PTB."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def upload(self, chat_id: int, attachment: Attachment, caption_html: str) -> str | None:
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
        except TelegramError:
            return None  # the gateway logged and recorded the final failure
