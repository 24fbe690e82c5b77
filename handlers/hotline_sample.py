"""/sample [n] for staff (issue 15 item 5): a random handful of last week's closed cases to
read, each with its category, rating and the link to its transcript in the console."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.hotline.case_sample import DEFAULT_SIZE, MAX_SIZE
from services.refusals import Refused
from storage.models import Role

COMMANDS = [CommandSpec("sample", "cmd.sample", frozenset({Role.STAFF, Role.ADMIN}))]


@require_roles(Role.STAFF, Role.ADMIN)
async def sample(update: Update, context: HotlineContext) -> None:
    """Draws the sample (DEFAULT_SIZE cases, or the number asked, up to MAX_SIZE)."""
    args = context.args or []
    size = DEFAULT_SIZE
    try:
        if len(args) > 1 or (args and not (args[0].isdigit() and len(args[0]) <= 3)):
            raise Refused("hotline.sample.bad_size", "size", max=MAX_SIZE)
        if args:
            size = int(args[0])
        cases, total = await context.services.hotline.duty_cases.sample.draw(size)
    except Refused as exc:
        await reply(update, context, context.html(exc.key, **exc.values))
        return
    await reply(update, context, context.render(
        "hotline_sample", cases=cases, total=total, reader=context.locale))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("sample", sample, filters=filters.ChatType.PRIVATE))
