"""/help: the commands this person's roles allow, in their language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import COMMAND_CATALOGUE_KEY, HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec, commands_for

COMMANDS = [CommandSpec("help", "cmd.help")]


async def help_command(update: Update, context: HotlineContext) -> None:
    """Lists the commands of the person's roles."""
    catalogue: list[CommandSpec] = context.application.bot_data[COMMAND_CATALOGUE_KEY]
    commands = [
        {"name": spec.name, "description": context.text(spec.description_key)}
        for spec in commands_for(catalogue, context.roles)
        if spec.in_menu
    ]
    roles = [context.text(f"role.{role}") for role in sorted(context.roles)]
    await reply(update, context, context.render("help", commands=commands, roles=roles))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(
        CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE)
    )
