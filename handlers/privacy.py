"""/privacy shows what is stored about you; /forget erases it after a confirmation."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from services.commands import CommandSpec

COMMANDS = [
    CommandSpec("privacy", "cmd.privacy"),
    CommandSpec("forget", "cmd.forget"),
]


async def show_privacy(update: Update, context: HotlineContext) -> None:
    """Shows the person everything the bot keeps about them."""
    summary = await context.services.privacy.summary(update.effective_user.id)
    roles = [context.text(f"role.{role}") for role in summary.roles] if summary else []
    language = context.text(f"language.name.{context.locale}")
    await reply(update, context,
                context.render("privacy", summary=summary, roles=roles, language=language))


async def ask_to_forget(update: Update, context: HotlineContext) -> None:
    """Asks for confirmation before erasing anything."""
    keyboard = inline_keyboard(
        context, [[("forget.button.confirm", "forget:yes"), ("forget.button.cancel", "forget:no")]]
    )
    await reply(update, context, context.html("forget.confirm"), keyboard)


async def forget_answer(update: Update, context: HotlineContext) -> None:
    """Erases the presser's own data (never anyone else's) or leaves it be."""
    query = update.callback_query
    await answer_callback(update)
    if query.data == "forget:yes":
        erased = await context.services.privacy.forget(update.effective_user.id)
        text = context.html("forget.done", count=erased)
    else:
        text = context.html("forget.cancelled")
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("privacy", show_privacy, filters=private))
    application.add_handler(CommandHandler("forget", ask_to_forget, filters=private))
    application.add_handler(CallbackQueryHandler(forget_answer, pattern=r"^forget:(yes|no)$"))
