"""An offer's Decline button and the optional reason after it (issue 15 item 7).

The press is checked on the server: only the expert the case was offered to may decline it,
once, while it still waits; anything else (a forged or stale press) is refused and changes
nothing. services/hotline/offer_decline.py decides and moves the case on."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import MAX_CALLBACK_INT, callback_ints, drop_pressed_buttons
from handlers.replies import answer_callback
from handlers.routes import Routes
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import Role

log = logging.getLogger(__name__)

ANSWERERS = (Role.EXPERT, Role.STAFF, Role.ADMIN)
COMMANDS: list[CommandSpec] = []
# A refusal that only says the step is over: the buttons of the pressed message go too.
STALE = {"hotline.decline.too_late", "hotline.decline.already", "hotline.decline.reason_given"}


async def _refused(update: Update, context: HotlineContext, exc: Refused) -> None:
    log.warning("refused %r from user %s: %s", (update.callback_query.data or "")[:64],
                update.effective_user.id, exc.key)
    await answer_callback(update, context.services.texts.refusal(context.locale, exc.refusal),
                          alert=True)
    if exc.key in STALE:
        await drop_pressed_buttons(update)


@require_roles(*ANSWERERS)
async def decline(update: Update, context: HotlineContext) -> None:
    """Declines the offer at once; the card then asks why (optional)."""
    ids = callback_ints(update.callback_query.data, "hotline:decline:", 1)
    declines = context.services.hotline.duty_cases.declines
    try:
        if ids is None:
            raise Refused("hotline.decline.not_offered")
        case = await declines.decline(ids[0], update.effective_user.id)
    except Refused as exc:
        await _refused(update, context, exc)
        return
    await answer_callback(update, context.text("hotline.decline.answer", number=case.number))


@require_roles(*ANSWERERS)
async def reason(update: Update, context: HotlineContext) -> None:
    """Keeps the reason chosen (or that none was), and ends the question."""
    data = update.callback_query.data or ""
    parts = data.split(":")
    declines = context.services.hotline.duty_cases.declines
    try:
        if len(parts) != 4 or not parts[2].isdigit() or int(parts[2]) >= MAX_CALLBACK_INT:
            raise Refused("hotline.decline.not_offered")
        case = await declines.give_reason(int(parts[2]), update.effective_user.id, parts[3])
    except Refused as exc:
        await _refused(update, context, exc)
        return
    await answer_callback(update, context.text("hotline.decline.reason_kept",
                                               number=case.number))
    await drop_pressed_buttons(update)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CallbackQueryHandler(decline, pattern="^hotline:decline:"))
    application.add_handler(CallbackQueryHandler(reason, pattern="^hotline:why:"))
