"""/announcements: the latest announcements, each with a deep link t.me/<bot>?start=a<id>."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec

COMMANDS = [CommandSpec("announcements", "cmd.announcements")]
LATEST = 10
DEEP_LINK_PREFIX = "a"


def deep_link(bot_username: str, announcement_id: int) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{announcement_id}"


async def list_announcements(update: Update, context: HotlineContext) -> None:
    """Lists the latest announcements with their links."""
    announcements = await context.services.announcements.latest(LATEST)
    topics = {t.key: t.label(context.locale)
              for t in await context.services.subscriptions.topics()}
    zone = ZoneInfo(context.services.timezone)
    items = [{"title": a.title, "topic": topics.get(a.topic, a.topic),
              "date": a.send_at.astimezone(zone).strftime("%Y-%m-%d"),
              "link": deep_link(context.bot.username, a.id)} for a in announcements]
    await reply(update, context, context.render("announcements_list", items=items))


async def open_announcement(update: Update, context: HotlineContext, payload: str) -> None:
    """Shows one published announcement, as its recipients saw it."""
    service = context.services.announcements
    record = await service.get(int(payload)) if payload.isdigit() and len(payload) < 10 \
        else None
    if record is None or record.state not in ("sending", "done"):
        await reply(update, context, context.html("announcements.not_found"))
        return
    message = await service.message_for(record, context.locale)
    await context.services.delivery.messenger.deliver(update.effective_chat.id, message,
                                                      paid=False, broadcast=False)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("announcements", list_announcements,
                                           filters=filters.ChatType.PRIVATE))
    routes.deep_links.add(DEEP_LINK_PREFIX, open_announcement)
    routes.menu.add("announcements", "menu.announcements", list_announcements, position=40)
