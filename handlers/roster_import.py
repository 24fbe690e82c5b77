"""A staff member sends the weekly plan as a CSV file with the caption /roster (add
--allow-empty to empty it on purpose): the same import as `hotline roster import` and the
console's, refused with the same words, the line named."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.actors import Actor
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import Role

COMMANDS: list[CommandSpec] = []  # a caption, not a command of the menu
ALLOW_EMPTY = "--allow-empty"


@require_roles(Role.STAFF, Role.ADMIN)
async def import_plan(update: Update, context: HotlineContext) -> None:
    """Replaces the weekly plan with the file, or says why it was refused."""
    message = update.effective_message
    document = message.document
    actions = context.services.hotline.roster_actions
    try:
        actions.check_upload(document.file_size or 0)
        data = bytes(await (await document.get_file()).download_as_bytearray())
        count = await actions.import_csv(
            Actor.in_bot(update.effective_user.id), data, document.file_name or "",
            allow_empty=ALLOW_EMPTY in (message.caption or "").split())
    except Refused as refused:
        await reply(update, context, context.html("roster.import.refused",
                                                  reason=context.services.texts.refusal(
                                                      context.locale, refused.refusal)))
        return
    await reply(update, context, context.html("roster.import.done", count=count))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/roster\b"),
        import_plan))
