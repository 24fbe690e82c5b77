"""/start: the greeting and the main menu, deep links (t.me/<bot>?start=...), newcomer offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.main_menu import menu_keyboard
from handlers.replies import reply
from services.commands import CommandSpec

COMMANDS = [CommandSpec("start", "cmd.start")]

DeepLinkHandler = Callable[[Update, HotlineContext, str], Awaitable[None]]
# Deep-link payload prefix -> handler given the rest of the payload ("a42" -> "42" for "a").
# Features add theirs in their register(); the longest matching prefix wins.
DEEP_LINKS: dict[str, DeepLinkHandler] = {}
# Run after the greeting of a person's very first /start (e.g. "subscribe to announcements?").
NEWCOMER_OFFERS: list[Callable[[Update, HotlineContext], Awaitable[None]]] = []
# Run after the greeting of every plain /start: a person's own things to do (issue 15: an
# expert's open cases and shifts, handlers/hotline_expert_desk.py).
GREETING_PANELS: list[Callable[[Update, HotlineContext], Awaitable[None]]] = []
# Telegram allows 64 characters of [A-Za-z0-9_-] in a start payload.
MAX_PAYLOAD = 64


async def start(update: Update, context: HotlineContext) -> None:
    """Opens a deep link, or greets the person (a newcomer differently) with the main menu."""
    payload = context.args[0][:MAX_PAYLOAD] if context.args else ""
    for prefix in sorted(DEEP_LINKS, key=len, reverse=True):
        if payload.startswith(prefix):
            await DEEP_LINKS[prefix](update, context, payload.removeprefix(prefix))
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
    for panel in GREETING_PANELS:
        await panel(update, context)
    if context.is_new_person:
        for offer in NEWCOMER_OFFERS:
            await offer(update, context)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
