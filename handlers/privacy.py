"""/privacy shows what is stored about you; /forget erases it after a confirmation."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("privacy", "cmd.privacy"),
    CommandSpec("forget", "cmd.forget"),
]
# "forget:<yes|no>:<the asker's id>:<one-time token>"; the token is what authorises.
_ANSWER = re.compile(r"forget:(yes|no):(\d{1,20}):([\w-]{1,40})")


async def show_privacy(update: Update, context: HotlineContext) -> None:
    """Shows the person everything the bot keeps about them."""
    summary = await context.services.privacy.summary(update.effective_user.id)
    roles = [context.text(f"role.{role}") for role in summary.roles] if summary else []
    language = context.text(f"language.name.{context.locale}")
    await reply(update, context,
                context.render("privacy", summary=summary, roles=roles, language=language))


async def ask_to_forget(update: Update, context: HotlineContext) -> None:
    """Lists what would be erased and what kept, and asks for confirmation."""
    asker = update.effective_user.id
    token = await context.services.privacy.ask_to_forget(asker)
    keyboard = inline_keyboard(context, [[
        ("forget.button.confirm", f"forget:yes:{asker}:{token}"),
        ("forget.button.cancel", f"forget:no:{asker}:{token}"),
    ]])
    await reply(update, context, context.render("forget_confirm"), keyboard)


async def forget_answer(update: Update, context: HotlineContext) -> None:
    """Erases the presser's own data, or leaves it be; a stale or forged press does nothing."""
    query = update.callback_query
    presser = update.effective_user.id
    answer = _ANSWER.fullmatch(query.data or "")
    privacy = context.services.privacy
    claim = None
    if answer is not None and int(answer.group(2)) == presser:
        claim = await privacy.claim_confirmation(presser, answer.group(3))
    if claim is None:
        log.warning("refused /forget answer %r from user %s", (query.data or "")[:64], presser)
        await answer_callback(update, context.text("forget.stale"), alert=True)
        return
    await answer_callback(update)
    if answer.group(1) == "no":
        await query.edit_message_text(context.html("forget.cancelled"), parse_mode=ParseMode.HTML)
        return
    try:
        report = await privacy.forget(presser)
    except Exception:
        # Erasers are idempotent: pressing again (or a new /forget) finishes the job.
        await privacy.release_confirmation(claim)
        raise
    log.info("user %s erased their data: %s", presser, report.counts)
    await query.edit_message_text(context.render("forget_done", erased=report),
                                  parse_mode=ParseMode.HTML)


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("privacy", show_privacy, filters=private))
    application.add_handler(CommandHandler("forget", ask_to_forget, filters=private))
    application.add_handler(CallbackQueryHandler(forget_answer, pattern=r"^forget:(yes|no):"))
