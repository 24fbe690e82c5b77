"""The main menu under /start: one button per thing this person can do.

Features add their entry in their register() (`add_entry`); the menu shows a person only the
entries of their roles, and a press is checked again on the server before it runs anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers import help as help_feature
from handlers import language, privacy
from handlers.context import HotlineContext
from handlers.replies import answer_callback

Action = Callable[[Update, HotlineContext], Awaitable[object]]
PREFIX = "menu:"
BUTTONS_PER_ROW = 2


@dataclass(frozen=True, slots=True)
class MenuEntry:
    label_key: str
    action: Action
    roles: frozenset[str] | None  # None: everyone
    position: int

    def shown_to(self, roles: frozenset[str]) -> bool:
        return self.roles is None or bool(self.roles & roles)


# callback data ("menu:ask") -> entry. Filled at registration; the same key registered again
# (a second Application in one process, as in tests) replaces the entry.
_ENTRIES: dict[str, MenuEntry] = {}


def add_entry(name: str, label_key: str, action: Action, *,
              roles: Iterable[str] | None = None, position: int = 50) -> None:
    """Adds a button; lower positions come first."""
    allowed = frozenset(str(role) for role in roles) if roles is not None else None
    _ENTRIES[PREFIX + name] = MenuEntry(label_key, action, allowed, position)


def menu_keyboard(context: HotlineContext) -> InlineKeyboardMarkup:
    shown = sorted(((data, entry) for data, entry in _ENTRIES.items()
                    if entry.shown_to(context.roles)), key=lambda item: item[1].position)
    buttons = [InlineKeyboardButton(context.text(entry.label_key), callback_data=data)
               for data, entry in shown]
    return InlineKeyboardMarkup([buttons[i:i + BUTTONS_PER_ROW]
                                 for i in range(0, len(buttons), BUTTONS_PER_ROW)])


async def menu_button(update: Update, context: HotlineContext) -> None:
    """Runs the action behind a menu button, if this person may use it."""
    entry = _ENTRIES.get(update.callback_query.data)
    if entry is None or not entry.shown_to(context.roles):
        await answer_callback(update, context.text("callback.stale"), alert=True)
        return
    await answer_callback(update)
    await entry.action(update, context)


def register(application: Application) -> None:
    add_entry("help", "menu.help", help_feature.help_command, position=90)
    add_entry("language", "menu.language", language.choose_language, position=91)
    add_entry("privacy", "menu.privacy", privacy.show_privacy, position=92)
    application.add_handler(CallbackQueryHandler(menu_button, pattern=f"^{PREFIX}"))
