"""/fallback for staff (issue 15 item 4): the list of each category's fallback, and naming
or clearing one (`/fallback legal 12345`, `/fallback legal Wang`, `/fallback legal off`)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.actors import Actor
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import Role

COMMANDS = [CommandSpec("fallback", "cmd.fallback", frozenset({Role.STAFF, Role.ADMIN}))]
CLEAR_WORDS = ("off", "none", "-")
MAX_ARGUMENT = 64


@require_roles(Role.STAFF, Role.ADMIN)
async def fallback(update: Update, context: HotlineContext) -> None:
    """Lists the fallbacks, or names or clears one category's."""
    fallbacks = context.services.hotline.duty_cases.fallbacks
    args = [a[:MAX_ARGUMENT] for a in context.args or []]
    actor = Actor.in_bot(update.effective_user.id)
    try:
        if len(args) == 2 and args[1].lower() in CLEAR_WORDS:
            await fallbacks.clear(actor, args[0].lower())
            await reply(update, context, context.html("hotline.fallback.cleared",
                                                      category=args[0].lower()))
            return
        if len(args) >= 2:
            person = await fallbacks.find_person(" ".join(args[1:]))
            view = await fallbacks.set(actor, args[0].lower(), person)
            await reply(update, context, context.html(
                "hotline.fallback.saved", category=view.category_name(context.locale),
                person=view.person))
            return
    except Refused as exc:
        await reply(update, context, context.html(exc.key, **exc.values))
        return
    if args:
        await reply(update, context, context.html("hotline.fallback.usage"))
        return
    await reply(update, context, context.render(
        "hotline_fallbacks", fallbacks=await fallbacks.listing(), reader=context.locale))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("fallback", fallback,
                                           filters=filters.ChatType.PRIVATE))
