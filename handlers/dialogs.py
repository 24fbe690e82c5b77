"""Routes a private message to the dialog the person is in (kept in the database)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec

COMMANDS = [CommandSpec("cancel", "cmd.cancel")]


async def continue_dialog(update: Update, context: HotlineContext) -> None:
    """Hands the message to the person's open dialog, or explains what the bot can do."""
    state = await context.services.dialogs.current(update.effective_user.id)
    # Features add their flows to the routes in their register().
    step = context.routes.flows.get(state.flow) if state is not None else None
    if state is None or step is None:
        await reply(update, context, context.html("fallback.text"))
        return
    await step(update, context, state)


async def cancel(update: Update, context: HotlineContext) -> None:
    """Abandons the open dialog, if there is one."""
    state = await context.services.dialogs.current(update.effective_user.id)
    await context.services.dialogs.finish(update.effective_user.id)
    key = "dialog.cancelled" if state is not None else "dialog.nothing_to_cancel"
    await reply(update, context, context.html(key))


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("cancel", cancel, filters=private))
    application.add_handler(
        MessageHandler(private & ~filters.COMMAND & ~filters.UpdateType.EDITED, continue_dialog)
    )
