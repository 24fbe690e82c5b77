"""/snippets: an expert's canned replies for their open case, as buttons; a press sends the
reply, filled in for the case, to the asker through the relay (as the console's reply box).

The case is the one a plain message would go to: a reply to one of its messages, the only
open case, or the expert's active one (/cases); otherwise the expert is asked to choose.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, refuse_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import CaseStatus, Role

ANSWERERS = (Role.EXPERT, Role.STAFF, Role.ADMIN)
COMMANDS = [CommandSpec("snippets", "cmd.snippets", frozenset(ANSWERERS))]
# Telegram shows at most this many buttons comfortably; the console lists them all.
MAX_BUTTONS = 30


@require_roles(*ANSWERERS)
async def list_snippets(update: Update, context: HotlineContext) -> None:
    """Offers the canned replies of the expert's current case as buttons."""
    user_id = update.effective_user.id
    message = update.effective_message
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    routing = await context.services.hotline.relay.route(user_id, reply_to)
    case = routing.case
    if case is None or case.expert_id != user_id or case.status != CaseStatus.OPEN:
        await reply(update, context, context.html("hotline.snippets.no_case"))
        return
    usable = await context.services.hotline.snippets.for_case(case, user_id)
    if not usable:
        await reply(update, context, context.html("hotline.snippets.none"))
        return
    rows = [[InlineKeyboardButton(filled.snippet.title[:60],
                                  callback_data=f"hotline:snip:{case.id}:{filled.snippet.id}")]
            for filled in usable[:MAX_BUTTONS]]
    await reply(update, context, context.html("hotline.snippets.choose", number=case.number),
                InlineKeyboardMarkup(rows))


@require_roles(*ANSWERERS)
async def send_snippet(update: Update, context: HotlineContext) -> None:
    """Sends the chosen reply to the asker, if the presser still answers the case."""
    ids = callback_ints(update.callback_query.data, "hotline:snip:", 2)
    if ids is None:
        await refuse_button(update, context, "malformed snippet")
        return
    user_id = update.effective_user.id
    case = await context.services.hotline.cases.get(ids[0])
    snippets = context.services.hotline.snippets
    snippet = await snippets.get(ids[1])
    if case is None or snippet is None or case.expert_id != user_id or not (
            snippet.owner_id == user_id
            or (snippet.owner_id is None and snippet.category == case.category)):
        await refuse_button(update, context, "snippet of a case or reply not the presser's",
                            "hotline.snippets.not_yours")
        return
    try:
        await context.services.hotline.case_work.answer(case.number, user_id,
                                                        await snippets.fill(snippet.body, case))
    except Refused:
        await refuse_button(update, context, f"snippet to case {case.id} not open",
                            "hotline.snippets.not_yours")
        return
    await answer_callback(update, context.text("hotline.snippets.sent"))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("snippets", list_snippets,
                                           filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(send_snippet, pattern=r"^hotline:snip:"))
