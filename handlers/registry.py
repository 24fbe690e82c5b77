"""The ordered list of feature modules: one place to see every handler the bot has.

Order matters: PTB runs the first matching handler of group 0, so specific commands and
buttons come first, the dialog router (any private text) after them, and the catch-alls
(unknown command, unknown button) last.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    announce,
    announcements,
    console,
    dialogs,
    fallback,
    help,
    hotline,
    ideas_mine,
    ideas_public,
    ideas_review,
    ideas_submit,
    kb_faq,
    kb_propose,
    kb_reuse,
    kb_reuse_edit,
    kb_suggest,
    language,
    main_menu,
    middleware,
    privacy,
    profile,
    start,
    subscribe,
    trainings,
    trainings_staff,
)
from handlers.context import COMMAND_CATALOGUE_KEY, ROUTES_KEY
from handlers.errors import on_error
from handlers.routes import Routes
from services.commands import CommandSpec

FEATURES = [start, help, main_menu, language, privacy, profile,
            ideas_submit, ideas_mine, ideas_review, ideas_public,
            subscribe, announcements, announce, trainings, trainings_staff, console,
            kb_faq, kb_suggest, kb_reuse, kb_reuse_edit, kb_propose]
# hotline first among the last: its relay takes any private message of a case participant.
LAST = [hotline, dialogs, fallback]


def command_catalogue() -> list[CommandSpec]:
    return [spec for module in [*FEATURES, *LAST] for spec in getattr(module, "COMMANDS", [])]


def register_handlers(application: Application) -> Routes:
    """Adds every feature's handlers; the features' hand-overs go to this Application's own
    Routes (kept in bot_data, where the dispatching handlers find them)."""
    routes = Routes()
    application.bot_data[ROUTES_KEY] = routes
    middleware.register(application)
    for module in [*FEATURES, *LAST]:
        module.register(application, routes)
    application.add_error_handler(on_error)
    application.bot_data[COMMAND_CATALOGUE_KEY] = command_catalogue()
    return routes
