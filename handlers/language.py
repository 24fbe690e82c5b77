"""/language: choose the language of every text the bot sends you."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import COMMAND_MENU_KEY, HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec

COMMANDS = [CommandSpec("language", "cmd.language")]


async def choose_language(update: Update, context: HotlineContext) -> None:
    """Offers every supported language as a button."""
    locales = context.services.texts.supported
    keyboard = inline_keyboard(context, [[(f"language.name.{loc}", f"lang:set:{loc}")
                                          for loc in locales]])
    await reply(update, context, context.html("language.choose"), keyboard)


async def set_language(update: Update, context: HotlineContext) -> None:
    """Stores the chosen language and confirms in it."""
    chosen = update.callback_query.data.removeprefix("lang:set:")
    texts = context.services.texts
    if chosen not in texts.supported or context.person is None:
        await answer_callback(update, context.text("callback.stale"), alert=True)
        return
    await context.services.people.set_locale(context.person.telegram_id, chosen)
    await answer_callback(update)
    language = texts.text(chosen, f"language.name.{chosen}")
    await update.callback_query.edit_message_text(
        texts.html(chosen, "language.changed", language=language), parse_mode=ParseMode.HTML
    )
    await context.application.bot_data[COMMAND_MENU_KEY].refresh_for(context.person.telegram_id)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(
        CommandHandler("language", choose_language, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(CallbackQueryHandler(set_language, pattern=r"^lang:set:"))
