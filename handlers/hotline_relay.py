"""The relay: a participant's private messages and edits go to the other side of their case.

Registered before the dialog router: a person in the middle of a dialog (/profile, a
question being written, a rating comment) is handed to it first, so a case never swallows
a dialog's answer.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import dialogs
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, carried, refuse_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.hotline.relay import Incoming
from storage.models import Case, CaseStatus, Role

COMMANDS = [CommandSpec("cases", "cmd.cases", frozenset({Role.EXPERT, Role.STAFF, Role.ADMIN}))]


def _incoming(message: Message) -> Incoming | None:
    what = carried(message)
    if what is None:
        return None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return Incoming(message.chat_id, message.message_id, what.kind, what.text, what.media_ref,
                    reply_to)


async def relay_message(update: Update, context: HotlineContext) -> None:
    """Relays the message to the other side of its case, or asks which case it is for."""
    user_id = update.effective_user.id
    if await context.services.dialogs.current(user_id) is not None:
        await dialogs.continue_dialog(update, context)
        return
    message = update.effective_message
    relay = context.services.hotline.relay
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    routing = await relay.route(user_id, reply_to)
    if not routing.candidates:
        await dialogs.continue_dialog(update, context)
        return
    incoming = _incoming(message)
    if incoming is None:
        await reply(update, context, context.html("hotline.unsupported"))
        return
    if incoming.kind == "text" and not (incoming.text or "").strip():
        await reply(update, context, context.html("hotline.relay.empty"))
        return
    if await context.services.hotline.cases.is_blocked(user_id):
        await reply(update, context, context.html("hotline.blocked"))
        return
    if routing.case is None:
        await relay.await_pick(user_id, incoming)
        await reply(update, context, context.html("hotline.relay.which"),
                    _pick_buttons(routing.candidates, message.message_id))
        return
    await _relay(update, context, routing.case, incoming)


def _pick_buttons(cases: list[Case], message_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        case.number, callback_data=f"hotline:pick:{case.id}:{message_id}")] for case in cases])


def _within_rate(update: Update, context: HotlineContext, case: Case) -> bool:
    # Askers are limited (abuse); experts answering several cases at once are not.
    return (case.asker_id != update.effective_user.id
            or context.services.hotline.relay.within_rate(case.asker_id))


async def _relay(update: Update, context: HotlineContext, case: Case,
                 incoming: Incoming) -> None:
    if not _within_rate(update, context, case):
        await reply(update, context, context.html("hotline.relay.slow_down"))
        return
    await _deliver(update, context, case, incoming)


async def _deliver(update: Update, context: HotlineContext, case: Case,
                   incoming: Incoming) -> None:
    relay = context.services.hotline.relay
    result = await relay.relay(update.effective_user.id, case, incoming)
    if result.result == "held":
        await reply(update, context, context.html("hotline.relay.held", number=case.number))
    elif result.result == "failed":
        key = ("hotline.relay.failed_blocked" if result.failure == "blocked"
               else "hotline.relay.failed")
        await reply(update, context, context.html(key, number=case.number))


async def pick_case(update: Update, context: HotlineContext) -> None:
    """Relays the waiting message to the chosen case; an expert's choice stays active."""
    ids = callback_ints(update.callback_query.data, "hotline:pick:", 2)
    if ids is None:
        await refuse_button(update, context, "malformed pick")
        return
    user_id = update.effective_user.id
    relay = context.services.hotline.relay
    case = next((c for c in await relay.cases_of(user_id) if c.id == ids[0]), None)
    if case is None:
        await refuse_button(update, context, "pick of a case not open to the presser",
                            "hotline.relay.pick_closed")
        return
    message_id = ids[1]
    incoming = None
    if message_id != 0:  # 0: a button of /cases, which only chooses the default case
        if not _within_rate(update, context, case):  # the message waits for a later press
            await answer_callback(update, context.text("hotline.relay.slow_down"), alert=True)
            return
        picked = await relay.take_pick(user_id, message_id, case)
        if picked.result == "already":
            await answer_callback(update, context.text("hotline.relay.pick_done",
                                                       number=picked.number), alert=True)
            return
        if picked.result == "expired":
            await answer_callback(update, context.text("hotline.relay.pick_expired"),
                                  alert=True)
            await update.callback_query.edit_message_text(
                context.html("hotline.relay.pick_expired"), parse_mode=ParseMode.HTML)
            return
        incoming = picked.message
    await answer_callback(update)
    if case.expert_id == user_id and case.status == CaseStatus.OPEN:
        await context.services.hotline.experts.set_active_case(user_id, case.id)
    await update.callback_query.edit_message_text(
        context.html("hotline.relay.picked", number=case.number), parse_mode=ParseMode.HTML)
    if incoming is not None:
        await _deliver(update, context, case, incoming)


@require_roles(Role.EXPERT, Role.STAFF, Role.ADMIN)
async def list_cases(update: Update, context: HotlineContext) -> None:
    """/cases: the expert's open cases, each a button that makes it the active one."""
    user_id = update.effective_user.id
    mine = [c for c in await context.services.hotline.relay.cases_of(user_id)
            if c.expert_id == user_id]
    if not mine:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    active = await context.services.hotline.experts.active_case(user_id)
    current = next((c.number for c in mine if c.id == active), "—")
    await reply(update, context, context.html("hotline.cases.list", count=len(mine),
                                              active=current), _pick_buttons(mine, 0))


async def relay_edit(update: Update, context: HotlineContext) -> None:
    """Carries an edit of a relayed message over to its copy."""
    incoming = _incoming(update.edited_message)
    if incoming is not None:
        await context.services.hotline.relay.relay_edit(incoming)


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("cases", list_cases, filters=private))
    application.add_handler(CallbackQueryHandler(pick_case, pattern=r"^hotline:pick:"))
    application.add_handler(MessageHandler(
        private & filters.UpdateType.EDITED_MESSAGE & ~filters.COMMAND, relay_edit))
    application.add_handler(MessageHandler(
        private & ~filters.COMMAND & ~filters.UpdateType.EDITED, relay_message))
