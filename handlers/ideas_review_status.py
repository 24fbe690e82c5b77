"""A status change prepared in a dialog (flow "idea_answer": the target status, an optional
answer, publish now or later) and applied with one button, so nothing half-done reaches the
author; and publishing a change made earlier."""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.context import HotlineContext
from handlers.ideas_cards import (
    acting,
    author_language,
    edit_or_reply,
    idea_of_button,
    refuse,
    stale,
)
from handlers.ideas_review_queue import NO_FILTER, show_card
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from services.commands import STAFF_ROLES
from services.dialogs import DraftState
from services.ideas import IdeaInputError, IdeaRefused, StatusChange
from services.ideas.author_notice import Told
from services.ideas.rules import clean_text
from storage.models import Idea, Role

log = logging.getLogger(__name__)

ANSWER_FLOW = "idea_answer"


async def move(update: Update, context: HotlineContext, idea_id: int, args: list[str]) -> None:
    expected, target = args
    idea = await idea_of_button(update, context, idea_id, not_withdrawn=True)
    if idea is None:
        return
    names = await context.services.ideas.status_names(context.locale)
    if target not in names or target == expected:
        await stale(update, context, f"no status {target!r} to move to")
        return
    if idea.status != expected:
        # Another reviewer (or the console) moved it since this card was shown.
        log.warning("move of idea %s refused: it is %s, not %s", idea.reference, idea.status,
                    expected)
        raise IdeaRefused("ideas.refused.changed_meanwhile", reference=idea.reference,
                          status=names.get(idea.status, idea.status))
    await answer_callback(update)
    user_id = update.effective_user.id
    await retire_panel(update, context, await context.services.dialogs.current(user_id))
    state = await context.services.dialogs.start(
        user_id, ANSWER_FLOW, "answer", idea_id=idea_id, expected=expected,
        status=target, publish=True, answer=None)
    await _send_panel(update, context, idea, state)


async def _prompt(context: HotlineContext, idea: Idea, state: DraftState) -> str:
    names = await context.services.ideas.status_names(context.locale)
    return context.render("ideas_answer_prompt", reference=idea.reference,
                          old=names.get(state.data["expected"]),
                          new=names.get(state.data["status"]), answer=state.data["answer"],
                          publish=state.data["publish"],
                          language=await author_language(context, idea))


def _prompt_keyboard(context: HotlineContext, idea_id: int, *,
                     publish: bool) -> InlineKeyboardMarkup:
    toggle = "ideas.button.publish_now_on" if publish else "ideas.button.publish_now_off"
    return inline_keyboard(context, [
        [("ideas.button.apply", f"ideas:rv:apply:{idea_id}")],
        [(toggle, f"ideas:rv:pubnow:{idea_id}"),
         ("ideas.button.cancel", f"ideas:rv:cancel:{idea_id}")],
    ])


async def _send_panel(update: Update, context: HotlineContext, idea: Idea,
                      state: DraftState) -> None:
    """Sends the pending change's panel and makes it the only live one of this reviewer."""
    sent = await reply(update, context, await _prompt(context, idea, state),
                       _prompt_keyboard(context, idea.id, publish=state.data["publish"]))
    if sent is not None:
        await context.services.dialogs.advance(update.effective_user.id, state, state.step,
                                               panel=sent.message_id)


async def retire_panel(update: Update, context: HotlineContext,
                       state: DraftState | None) -> None:
    """Takes the buttons off the reviewer's live panel before a new dialog replaces it, so an
    old panel can never apply what a newer one shows."""
    if state is None or state.flow != ANSWER_FLOW or not state.data.get("panel"):
        return
    try:
        await context.bot.edit_message_reply_markup(update.effective_chat.id,
                                                    int(state.data["panel"]), reply_markup=None)
    except TelegramError as error:
        # Deleted by the reviewer, or too old to edit: its presses are refused all the same.
        log.info("could not retire review panel %s: %s", state.data["panel"], error)


async def _pending_change(update: Update, context: HotlineContext,
                          idea_id: int) -> DraftState | None:
    """The change the pressed panel shows, or None once a press on a closed or replaced panel
    is refused (its buttons are taken off; nothing changes)."""
    state = await context.services.dialogs.current(update.effective_user.id)
    message = update.callback_query.message
    pressed = message.message_id if message is not None else None
    if state is None or state.flow != ANSWER_FLOW or state.data.get("idea_id") != idea_id:
        reason = "ideas.refused.panel_closed"
    elif state.data.get("panel") not in (None, pressed):  # None: opened before panels were kept
        reason = "ideas.refused.panel_retired"
    else:
        return state
    idea = await context.services.ideas.get(idea_id)
    log.warning("refused review panel %s of user %s for idea %s: %s", pressed,
                update.effective_user.id, idea_id, reason)
    await refuse(update, context, IdeaRefused(
        reason, reference=idea.reference if idea is not None else ""))
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    return None


async def toggle_publish(update: Update, context: HotlineContext, idea_id: int,
                         _args: list[str]) -> None:
    state = await _pending_change(update, context, idea_id)
    idea = await context.services.ideas.get(idea_id)
    if state is None or idea is None:
        return
    await context.services.dialogs.advance(update.effective_user.id, state, "answer",
                                           publish=not state.data["publish"])
    await answer_callback(update)
    try:
        await update.callback_query.edit_message_text(
            await _prompt(context, idea, state), parse_mode=ParseMode.HTML,
            reply_markup=_prompt_keyboard(context, idea_id, publish=state.data["publish"]))
    except TelegramError as error:
        # The panel cannot be edited (deleted, too old): a new one takes its place.
        log.info("could not edit review panel: %s", error)
        await retire_panel(update, context, state)
        await _send_panel(update, context, idea, state)


async def cancel(update: Update, context: HotlineContext, idea_id: int,
                 _args: list[str]) -> None:
    if await _pending_change(update, context, idea_id) is None:
        return
    await context.services.dialogs.finish(update.effective_user.id)
    await answer_callback(update)
    await edit_or_reply(update, context, context.html("ideas.review.cancelled"))


async def apply(update: Update, context: HotlineContext, idea_id: int,
                _args: list[str]) -> None:
    state = await _pending_change(update, context, idea_id)
    if state is None:
        return
    user_id = update.effective_user.id
    data = state.data
    try:
        change = await context.services.ideas.change_status(
            acting(update, context), idea_id, data["expected"], data["status"], data["answer"],
            data["publish"])
    finally:
        await context.services.dialogs.finish(user_id)
    await answer_callback(update)
    await _after_change(update, context, change, "ideas.review.applied")


# What the reviewer is told of the word owed to the author after a change.
AUTHOR_NOTICES = {
    Told.SENT: "ideas.review.author_notified",
    Told.LATER: "ideas.review.author_later",
    Told.UNREACHABLE: "ideas.review.author_unreachable",
    Told.NOTHING_OWED: "ideas.review.author_not_notified",
}

async def _after_change(update: Update, context: HotlineContext, change: StatusChange,
                        key: str) -> None:
    idea = change.idea
    names = await context.services.ideas.status_names(context.locale)
    done = context.html(key, reference=idea.reference,
                        status=names.get(idea.status, idea.status))
    done += "\n" + context.html(AUTHOR_NOTICES[change.author])
    await edit_or_reply(update, context, done)
    await show_card(update, context, idea, NO_FILTER)


async def publish(update: Update, context: HotlineContext, idea_id: int,
                  _args: list[str]) -> None:
    change = await context.services.ideas.publish(acting(update, context), idea_id)
    await answer_callback(update)
    await _after_change(update, context, change, "ideas.review.published")


async def answer_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Keeps the typed answer with the pending status change and shows it again."""
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(update.effective_user.id)
        return
    try:
        answer = clean_text("answer", update.effective_message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    idea = await context.services.ideas.get(int(state.data["idea_id"]))
    if idea is None:
        await context.services.dialogs.finish(update.effective_user.id)
        return
    await retire_panel(update, context, state)
    await context.services.dialogs.advance(update.effective_user.id, state, "answer",
                                           answer=answer)
    await _send_panel(update, context, idea, state)
