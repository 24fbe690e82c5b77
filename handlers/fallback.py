"""Catch-alls: an unknown command, and a button the bot no longer knows (stale or forged)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from handlers.routes import Routes

log = logging.getLogger(__name__)
# An unknown command is echoed back; a longer one is cut so the reply stays readable.
MAX_ECHOED_COMMAND = 32


async def unknown_command(update: Update, context: HotlineContext) -> None:
    """Says the command is unknown and points to /help."""
    command = (update.effective_message.text or "").split()[0][:MAX_ECHOED_COMMAND]
    await reply(update, context, context.html("fallback.unknown_command", command=command))


async def unknown_button(update: Update, context: HotlineContext) -> None:
    """Refuses a button press no handler recognised, and logs it."""
    query = update.callback_query
    log.warning("refused unknown callback %r from user %s in update %s",
                (query.data or "")[:64], query.from_user.id, update.update_id)
    await answer_callback(update, context.text("callback.stale"), alert=True)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(unknown_button))
