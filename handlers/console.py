"""/console: a one-time sign-in link to the staff web console (staff and admins only)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from services.commands import STAFF_ROLES, CommandSpec
from services.console_access import LINK_LIFETIME
from storage.models import Role

COMMANDS = [CommandSpec("console", "cmd.console", STAFF_ROLES)]


@require_roles(Role.STAFF, Role.ADMIN)
async def console_command(update: Update, context: HotlineContext) -> None:
    """Sends a fresh sign-in link, valid ten minutes and usable once."""
    link = await context.services.console.issue_link(update.effective_user.id)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    await reply(update, context, context.html("console.bot.link", url=link, minutes=minutes))


def register(application: Application) -> None:
    # Private chats only: a link posted in a group could be used by anyone in it.
    application.add_handler(
        CommandHandler("console", console_command, filters=filters.ChatType.PRIVATE))
