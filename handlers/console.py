"""/console: a one-time sign-in link to the web console (staff, admins and experts), and
`/console logout`, which ends every browser session of the sender."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.audit_trail import audit
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import STAFF_ROLES, CommandSpec
from services.console_access import LINK_LIFETIME
from storage.models import Role

CONSOLE_ROLES = STAFF_ROLES | {Role.EXPERT}
COMMANDS = [CommandSpec("console", "cmd.console", CONSOLE_ROLES)]


@require_roles(*CONSOLE_ROLES)
async def send_link(update: Update, context: HotlineContext) -> None:
    """Sends a fresh sign-in link, valid ten minutes and usable once."""
    link = await context.services.console.issue_link(update.effective_user.id)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    await reply(update, context, context.html("console.bot.link", url=link, minutes=minutes))


async def sign_out_everywhere(update: Update, context: HotlineContext) -> None:
    """Ends all of the sender's console sessions and says how many there were."""
    # Open to anyone: a person whose role was taken away may still hold a session to end.
    ended = await context.services.console.sign_out_everywhere(update.effective_user.id)
    if ended:
        await audit(update, context, "console.sign_out", detail={"sessions": ended})
    await reply(update, context, context.html("console_workspace.bot.signed_out", count=ended)
                if ended else context.html("console_workspace.bot.no_sessions"))


async def console_command(update: Update, context: HotlineContext) -> None:
    """`/console` sends a link; `/console logout` signs out everywhere; anything else is
    explained rather than taken as one of them."""
    argument = " ".join(context.args or []).strip().lower()
    if argument == "":
        await send_link(update, context)
    elif argument == "logout":
        await sign_out_everywhere(update, context)
    else:
        await reply(update, context, context.html("console_workspace.bot.usage"))


def register(application: Application, routes: Routes) -> None:
    # Private chats only: a link posted in a group could be used by anyone in it.
    application.add_handler(
        CommandHandler("console", console_command, filters=filters.ChatType.PRIVATE))
