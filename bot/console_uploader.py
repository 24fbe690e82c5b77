"""The console's attachments reach Telegram here: uploaded once to the storage chat (the
media chat, else the staff chat) so the broadcast can reuse Telegram's file_id, and deleted
there at once: a file_id stays valid after its message is gone, and no chat keeps a copy.
Nothing is ever posted into a person's own chat. The send gateway paces and retries the
upload like every other message."""

from __future__ import annotations

import logging

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from services.announcements.media_upload import Attachment, MediaKind

log = logging.getLogger(__name__)


class TelegramMediaUploader:
    """Implements services.announcements.media_upload.MediaUploader with PTB."""

    def __init__(self, bot: Bot, storage_chat_id: int | None) -> None:
        self.bot = bot
        self.storage_chat_id = storage_chat_id

    @property
    def ready(self) -> bool:
        return self.storage_chat_id is not None

    async def upload(self, attachment: Attachment, caption_html: str) -> str | None:
        if self.storage_chat_id is None:
            return None
        chat_id = self.storage_chat_id
        upload = InputFile(attachment.data, filename=attachment.filename)
        try:
            if attachment.kind == MediaKind.PHOTO:
                sent: Message = await self.bot.send_photo(
                    chat_id, upload, caption=caption_html, parse_mode=ParseMode.HTML,
                    disable_notification=True)
                # The largest size: the one Telegram sends on when the file_id is reused.
                file_id = sent.photo[-1].file_id if sent.photo else None
            else:
                sent = await self.bot.send_document(chat_id, upload, caption=caption_html,
                                                    parse_mode=ParseMode.HTML,
                                                    disable_notification=True)
                file_id = sent.document.file_id if sent.document else None
        except TelegramError:
            return None  # the gateway logged and recorded the final failure
        try:
            await self.bot.delete_message(chat_id, sent.message_id)
        except TelegramError as error:  # the file_id is good; a leftover message is harmless
            log.info("console upload message %s in %s not deleted: %s", sent.message_id,
                     chat_id, error)
        return file_id
