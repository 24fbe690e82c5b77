"""The one error handler: log the failure with the update's id, apologise in the user's language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.context import HotlineContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: HotlineContext) -> None:
    """Logs the exception; tells the person something went wrong, if there is a person."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    # The error handler gets a fresh context: find the person again for their language.
    if context.person is None and update.effective_user is not None:
        context.person = await context.services.people.get(update.effective_user.id)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(context.text("errors.generic"), show_alert=True)
        else:
            await context.bot.send_message(
                update.effective_chat.id, context.html("errors.generic"), parse_mode=ParseMode.HTML
            )
    except TelegramError:
        # The apology itself failed (the user blocked the bot, Telegram is down): already logged.
        log.warning("could not tell the user about the failure of update %s", update_id)
