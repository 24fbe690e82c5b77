"""The main menu under /start: one button per thing this person can do.

Features add their entry in their register() (`routes.menu.add`); the menu shows a person only the
entries of their roles, and a press is checked again on the server before it runs anything.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import help as help_feature
from handlers import language, privacy
from handlers.context import HotlineContext
from handlers.replies import answer_callback
from handlers.routes import MENU_PREFIX, Routes

BUTTONS_PER_ROW = 2


def menu_keyboard(context: HotlineContext) -> InlineKeyboardMarkup:
    shown = context.routes.menu.shown_to(context.roles)
    buttons = [InlineKeyboardButton(context.text(entry.label_key), callback_data=data)
               for data, entry in shown]
    return InlineKeyboardMarkup([buttons[i:i + BUTTONS_PER_ROW]
                                 for i in range(0, len(buttons), BUTTONS_PER_ROW)])


async def menu_button(update: Update, context: HotlineContext) -> None:
    """Runs the action behind a menu button, if this person may use it."""
    entry = context.routes.menu.get(update.callback_query.data or "")
    if entry is None or not entry.shown_to(context.roles):
        await answer_callback(update, context.text("callback.stale"), alert=True)
        return
    await answer_callback(update)
    await entry.action(update, context)


def register(application: Application, routes: Routes) -> None:
    routes.menu.add("help", "menu.help", help_feature.help_command, position=90)
    routes.menu.add("language", "menu.language", language.choose_language, position=91)
    routes.menu.add("privacy", "menu.privacy", privacy.show_privacy, position=92)
    application.add_handler(CallbackQueryHandler(menu_button, pattern=f"^{MENU_PREFIX}"))
