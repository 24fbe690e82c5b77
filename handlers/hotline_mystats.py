"""/mystats: an expert's own ratings and figures (last week, this month), in both clocks."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import Role

COMMANDS = [CommandSpec("mystats", "cmd.mystats", frozenset({Role.EXPERT}))]


async def mystats(update: Update, context: HotlineContext) -> None:
    """Shows the expert their own ratings and figures; anyone else is told it is for experts."""
    figures = context.services.hotline.expert_figures
    try:
        periods = await figures.of(update.effective_user.id)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    await reply(update, context, context.render("hotline_mystats", periods=periods))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("mystats", mystats, filters=filters.ChatType.PRIVATE))
