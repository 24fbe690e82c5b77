"""`/duty swap`: an expert (or staff, `/duty swap <telegram id>`, on their behalf) picks one
of their coming shifts with a button and offers it; the other experts of its categories get
Accept, the offerer Withdraw. Every press goes to services/hotline/roster_swaps.py, which
checks it again: a forged, stale or second press is refused there and changes nothing."""

from __future__ import annotations

import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.actors import Actor
from services.commands import CommandSpec
from services.hotline.roster_swaps import PICK, TAKE, WITHDRAW
from services.refusals import Refused
from storage.models import Role

COMMANDS: list[CommandSpec] = []  # reached through /duty swap
# rswap:pick:<expert>:<yyyymmdd>:<hhmm>, rswap:take:<offer>, rswap:drop:<offer>
_PICK = re.compile(rf"^{PICK}:(\d{{1,19}}):(\d{{4}})(\d{{2}})(\d{{2}}):(\d{{2}})(\d{{2}})$")
_DECIDE = re.compile(rf"^({TAKE}|{WITHDRAW}):(\d{{1,12}})$")
_EXPERT_ID = re.compile(r"^\d{1,19}$")


async def choose_shift(update: Update, context: HotlineContext) -> None:
    """Lists the expert's coming shifts as buttons, one to offer."""
    user_id = update.effective_user.id
    extra = context.args[1:] if context.args else []
    if len(extra) > 1 or (extra and not _EXPERT_ID.match(extra[0])):
        await reply(update, context, context.html("roster.swap.usage"))
        return
    expert_id = int(extra[0]) if extra else user_id
    try:
        shifts = await context.services.hotline.swaps.offerable(Actor.in_bot(user_id),
                                                                expert_id)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    if not shifts:
        await reply(update, context, context.html("roster.swap.no_shifts"))
        return
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        context.text("roster.swap.shift_button", day=shift.day.isoformat(),
                     start=shift.duty.start, end=shift.duty.end),
        callback_data=f"{PICK}:{expert_id}:{shift.pick_data}")] for shift in shifts])
    await reply(update, context, context.html("roster.swap.choose"), keyboard)


@require_roles(Role.EXPERT, Role.STAFF, Role.ADMIN)
async def pressed(update: Update, context: HotlineContext) -> None:
    """Offers the chosen shift, takes an offer, or withdraws one."""
    query = update.callback_query
    actor = Actor.in_bot(update.effective_user.id)
    swaps = context.services.hotline.swaps
    picked, decided = _PICK.match(query.data or ""), _DECIDE.match(query.data or "")
    try:
        if picked:
            expert_id, year, month, day, hour, minute = (int(v) for v in picked.groups())
            try:
                when = date(year, month, day)
            except ValueError:
                raise Refused("roster.swap.no_such_shift") from None
            _swap, told = await swaps.offer(actor, expert_id, when, f"{hour:02d}:{minute:02d}")
            answer = context.html("roster.swap.offer_sent", count=told)
        elif decided and decided.group(1) == TAKE:
            swap = await swaps.take(actor, int(decided.group(2)))
            answer = context.html("roster.swap.you_took", day=swap.day.isoformat(),
                                  start=swap.start, end=swap.end)
        elif decided:
            swap = await swaps.withdraw(actor, int(decided.group(2)))
            answer = context.html("roster.swap.you_withdrew", day=swap.day.isoformat(),
                                  start=swap.start, end=swap.end)
        else:
            raise Refused("roster.swap.gone")
    except Refused as refused:
        await answer_callback(update, context.services.texts.refusal(context.locale,
                                                                     refused.refusal),
                              alert=True)
        return
    await answer_callback(update)
    if query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    await reply(update, context, answer)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CallbackQueryHandler(pressed, pattern=r"^rswap:"))
