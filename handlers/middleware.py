"""Runs first for every update: records the person, picks their language, logs the message."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers.context import COMMAND_MENU_KEY, HotlineContext
from handlers.message_log import entry_for_update
from services.people import TelegramIdentity
from services.texts import negotiate_locale

# Negative groups run before the feature handlers (group 0), and every group sees each update.
MIDDLEWARE_GROUP = -100


async def know_the_person(update: Update, context: HotlineContext) -> None:
    """Records who wrote and sets context.person (and the language) for the handlers after."""
    services = context.services
    entry = entry_for_update(update)
    if entry is not None:
        services.conversation_log.record(entry)
    user = update.effective_user
    if user is None or user.is_bot:
        return
    identity = TelegramIdentity(
        telegram_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
    guess = negotiate_locale(user.language_code, services.default_locale)
    context.person, context.is_new_person = await services.people.seen(identity, guess)
    menu = context.application.bot_data[COMMAND_MENU_KEY]
    if menu.is_stale_for(context.person):
        # Roles granted before the first message, or changed since (here, by the CLI, by
        # another process): the menu follows on their next update.
        context.application.create_task(menu.refresh_for(user.id), update=update)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, know_the_person), group=MIDDLEWARE_GROUP)
