"""/start: the greeting and the main menu, deep links (t.me/<bot>?start=...), newcomer offers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.main_menu import menu_keyboard
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec

COMMANDS = [CommandSpec("start", "cmd.start")]

# Telegram allows 64 characters of [A-Za-z0-9_-] in a start payload.
MAX_PAYLOAD = 64


async def start(update: Update, context: HotlineContext) -> None:
    """Opens a deep link, or greets the person (a newcomer differently) with the main menu."""
    payload = context.args[0][:MAX_PAYLOAD] if context.args else ""
    # Features add their deep links in their register(); the longest matching prefix wins.
    link = context.routes.deep_links.match(payload)
    if link is not None:
        handler, rest = link
        await handler(update, context, rest)
        return
    person = context.person
    await reply(
        update,
        context,
        context.render(
            "start",
            name=person.full_name if person else "",
            new=context.is_new_person,
        ),
        menu_keyboard(context),
    )
    for panel in context.routes.greeting_panels:
        await panel(update, context)
    if context.is_new_person:
        for offer in context.routes.newcomer_offers:
            await offer(update, context)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
