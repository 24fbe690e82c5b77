"""Sending: every message goes out as Telegram HTML produced by the autoescaping renderer."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from handlers.context import HotlineContext

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def reply(
    update: Update,
    context: HotlineContext,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Answers in the chat the update came from (a callback answers below its message)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.bot.send_message(
        chat_id=chat.id,
        text=html,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        message_thread_id=_thread_of(update),
        link_preview_options=_NO_PREVIEW,
    )


async def answer_callback(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text=text, show_alert=alert)


def _thread_of(update: Update) -> int | None:
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None
