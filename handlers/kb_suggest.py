"""Suggest before asking: the knowledge-base entries that match the question written in /ask,
shown before it goes to an expert. "This answers my question" ends there; "I still want an
expert" sends the case on as usual (the flow that asked registers how, in
`routes.after_suggestions`).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, refuse_button
from handlers.kb_faq import render_hits
from handlers.replies import answer_callback
from handlers.routes import Routes
from services.dialogs import DraftState
from services.kb.service import Hit


def question_text(state: DraftState) -> str:
    """The typed part of the question (parts are [chat, message, kind, text, media])."""
    return "\n".join(part[3] for part in state.data.get("parts", []) if part[3])


def keyboard(context: HotlineContext, suggestion_id: int,
             hits: list[Hit]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(context.text("kb.button.read", number=i),
                                  callback_data=f"kb:read:{hit.entry.id}"),
             InlineKeyboardButton(context.text("kb.button.answers", number=i),
                                  callback_data=f"kb:ok:{suggestion_id}:{hit.entry.id}")]
            for i, hit in enumerate(hits, start=1)]
    rows.append([InlineKeyboardButton(context.text("kb.button.expert"),
                                      callback_data=f"kb:expert:{suggestion_id}")])
    return InlineKeyboardMarkup(rows)


async def offer_entries(update: Update, context: HotlineContext, state: DraftState) -> bool:
    """Shows the entries that match well in place of the confirmation; False when none do.
    The caller has answered the button already: the first search after a start may wait
    for the segmenter's dictionary."""
    if "suggestion" in state.data:
        return False  # shown once per question: "send" after them goes to the expert
    text = question_text(state)
    hits = await context.services.kb.good_matches(text) if text else []
    if not hits:
        return False
    user_id = update.effective_user.id
    suggestion_id = await context.services.kb.suggest(user_id, hits)
    await context.services.dialogs.advance(user_id, state, state.step, suggestion=suggestion_id)
    await update.callback_query.edit_message_text(
        context.render("kb_suggestions", hits=render_hits(context, hits)),
        parse_mode=ParseMode.HTML, reply_markup=keyboard(context, suggestion_id, hits))
    return True


async def _pending(update: Update, context: HotlineContext,
                   suggestion_id: int) -> DraftState | None:
    state = await context.services.dialogs.current(update.effective_user.id)
    if state is None or state.data.get("suggestion") != suggestion_id \
            or state.flow not in context.routes.after_suggestions:
        await refuse_button(update, context, "no suggestion waiting")
        return None
    return state


async def answered(update: Update, context: HotlineContext) -> None:
    """Ends the question here: counted as self-served, and the entry as helpful."""
    numbers = callback_ints(update.callback_query.data, "kb:ok:", 2)
    state = await _pending(update, context, numbers[0]) if numbers else None
    if numbers is None:
        await refuse_button(update, context, "malformed")
        return
    if state is None:
        return
    user_id = update.effective_user.id
    if not await context.services.kb.self_served(user_id, numbers[0], numbers[1]):
        await refuse_button(update, context, "suggestion already decided")
        return
    await context.services.dialogs.finish(user_id)
    await answer_callback(update)
    await update.callback_query.edit_message_text(context.html("kb.suggest.glad"),
                                                  parse_mode=ParseMode.HTML)


async def wants_expert(update: Update, context: HotlineContext) -> None:
    """Sends the question on to an expert, who sees what was suggested."""
    numbers = callback_ints(update.callback_query.data, "kb:expert:", 1)
    if numbers is None:
        await refuse_button(update, context, "malformed")
        return
    state = await _pending(update, context, numbers[0])
    if state is None:
        return
    if not await context.services.kb.wants_expert(update.effective_user.id, numbers[0]):
        await refuse_button(update, context, "suggestion already decided")
        return
    await answer_callback(update)
    then = context.routes.after_suggestions.get(state.flow)
    assert then is not None, "checked by _pending"
    await then(update, context, state)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CallbackQueryHandler(answered, pattern=r"^kb:ok:"))
    application.add_handler(CallbackQueryHandler(wants_expert, pattern=r"^kb:expert:"))
