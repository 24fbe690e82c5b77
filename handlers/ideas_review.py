"""/review: staff move ideas through the statuses, answer, publish, note and mark duplicates.

A status change is prepared in a dialog (flow "idea_answer": the target status, an optional
answer, publish now or later) and applied with one button, so nothing half-done reaches the
author. Every button checks the role again and that the idea is still in the status the card
showed: a stale or forged press is refused, logged, and changes nothing.

This module dispatches the buttons; the queue and the card are in ideas_review_queue, the
status change in ideas_review_status, notes and duplicates in ideas_review_notes.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.ideas_cards import acting, callback_id, refuse, stale
from handlers.ideas_review_notes import (
    DUPLICATE_FLOW,
    NOTE_FLOW,
    ask_duplicate,
    ask_note,
    duplicate_step,
    note_step,
)
from handlers.ideas_review_queue import NO_FILTER, STAFF, filter_from_code, review, show_card
from handlers.ideas_review_status import (
    ANSWER_FLOW,
    answer_step,
    apply,
    cancel,
    move,
    publish,
    toggle_publish,
)
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import STAFF_ROLES, CommandSpec
from services.ideas import IdeaRefused
from services.refusals import Refused

COMMANDS = [CommandSpec("review", "cmd.review", STAFF_ROLES)]


@require_roles(*STAFF)
async def review_button(update: Update, context: HotlineContext) -> None:
    """Dispatches a review button after checking its shape; the role is checked above."""
    parts = (update.callback_query.data or "").split(":")
    action = parts[2] if len(parts) > 3 else ""
    idea_id = callback_id(parts[3]) if len(parts) > 3 else None
    handler = _ACTIONS.get((action, len(parts)))
    if handler is None or idea_id is None:
        await stale(update, context, "malformed review button")
        return
    try:
        if action in CARD_ACTIONS:
            await _check_live_card(update, context, idea_id)
        await handler(update, context, idea_id, parts[4:])
    except Refused as refusal:
        await refuse(update, context, refusal)


async def _check_live_card(update: Update, context: HotlineContext, idea_id: int) -> None:
    """Refuses a press on a card of the idea that a newer card of this reviewer replaced."""
    ideas = context.services.ideas
    live = await ideas.live_card(idea_id, update.effective_user.id)
    message = update.callback_query.message
    if live is None or (message is not None and message.message_id == live):
        return
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    idea = await ideas.get(idea_id)
    raise IdeaRefused("ideas.refused.panel_retired",
                      reference=idea.reference if idea is not None else "")


async def _unhide(update: Update, context: HotlineContext, idea_id: int,
                  _args: list[str]) -> None:
    idea = await context.services.ideas.unhide(acting(update, context), idea_id)
    await answer_callback(update, context.text("ideas.review.unhidden"))
    await show_card(update, context, idea, NO_FILTER)


async def _next(update: Update, context: HotlineContext, idea_id: int, args: list[str]) -> None:
    criteria = await filter_from_code(context, args[0])
    if criteria is None:
        await stale(update, context, "unknown filter")
        return
    await answer_callback(update)
    idea = await context.services.ideas.next_in_queue(after_id=idea_id, **criteria)
    if idea is None:
        await reply(update, context, context.html("ideas.review.end"))
        return
    await show_card(update, context, idea, args[0])


# The buttons of the staff card (the others belong to a pending change's panel).
CARD_ACTIONS = frozenset({"to", "publish", "note", "dup", "unhide", "next"})
# (action, number of ":"-separated parts) -> handler
_ACTIONS = {
    ("to", 6): move,
    ("apply", 4): apply,
    ("pubnow", 4): toggle_publish,
    ("cancel", 4): cancel,
    ("publish", 4): publish,
    ("note", 4): ask_note,
    ("dup", 4): ask_duplicate,
    ("unhide", 4): _unhide,
    ("next", 5): _next,
}


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(ANSWER_FLOW, answer_step)
    routes.flows.add(NOTE_FLOW, note_step)
    routes.flows.add(DUPLICATE_FLOW, duplicate_step)
    application.add_handler(CommandHandler("review", review, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(review_button, pattern=r"^ideas:rv:"))
