"""/announce: staff compose an announcement step by step (kept in drafts, so a restart resumes
it), see a preview exactly as recipients will and the number of recipients, then confirm.
Also the button that stops a scheduled or running broadcast."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.announce_steps import (
    ATTACHMENT,
    AUDIENCE,
    AUDIENCE_ROLES,
    CONFIRM,
    KIND,
    TOPIC,
    WHEN,
    ask,
    clean_answer,
    draft_of,
    editable_steps,
    is_latest_confirmation,
    next_step,
    offer_fixes,
)
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.actors import Actor
from services.announcements.composing import ComposeInputError
from services.commands import STAFF_ROLES, CommandSpec
from services.dialogs import DraftState
from services.refusals import Refused
from storage.models import Role, utcnow

log = logging.getLogger(__name__)

COMMANDS = [CommandSpec("announce", "cmd.announce", STAFF_ROLES)]
FLOW = "announce"


@require_roles(Role.STAFF, Role.ADMIN)
async def announce(update: Update, context: HotlineContext) -> None:
    """Starts composing, or resumes the draft left half-way (even across a restart)."""
    user_id = update.effective_user.id
    state = await context.services.dialogs.current(user_id)
    if state is not None and state.flow == FLOW:
        restart = InlineKeyboardMarkup([[InlineKeyboardButton(
            context.text("announce.restart_button"), callback_data="ann:restart")]])
        await reply(update, context, context.html("announce.resumed"), restart)
    else:
        state = await context.services.dialogs.start(user_id, FLOW, TOPIC)
        await reply(update, context, context.html("announce.intro"))
    await ask(update, context, state)


async def compose_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Takes a typed (or sent) answer for the current step, or says why it cannot."""
    if not {Role.STAFF.value, Role.ADMIN.value} & context.roles:
        # The role was taken away half-way: the draft is no longer theirs to send.
        await context.services.dialogs.finish(update.effective_user.id)
        await reply(update, context, context.html("auth.refused"))
        return
    try:
        answers = clean_answer(state.step, update.effective_message, context)
    except ComposeInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        await ask(update, context, state)
        return
    await _advance(update, context, state, **answers)


async def _advance(update: Update, context: HotlineContext, state: DraftState,
                   **answers: Any) -> None:
    if state.data.get("editing"):
        # One field was redone from the preview: back to the preview. Skipping the attachment
        # or the link now removes the one given before; a new photo replaces a file.
        if state.step == ATTACHMENT:
            state.data.update(photo=None, document=None)
        elif state.step == "link":
            state.data["link"] = None
        state.data.update(answers, editing=False)
        step = CONFIRM
    else:
        state.data.update(answers)
        step = next_step(state.step, state.data)
    await context.services.dialogs.advance(update.effective_user.id, state, step)
    await ask(update, context, state)


async def _stale(update: Update, context: HotlineContext) -> None:
    log.warning("refused announce button %r from user %s in update %s",
                update.callback_query.data, update.effective_user.id, update.update_id)
    await answer_callback(update, context.text("callback.stale"), alert=True)


async def _close_buttons(update: Update) -> None:
    """Removes the pressed keyboard, so an old question cannot be answered twice."""
    with contextlib.suppress(BadRequest):  # already without buttons
        await update.callback_query.edit_message_reply_markup(None)


@require_roles(Role.STAFF, Role.ADMIN)
async def compose_button(update: Update, context: HotlineContext) -> None:
    """One button of the composing dialog; checked against the draft's current step."""
    action, _, value = (update.callback_query.data or "").removeprefix("ann:").partition(":")
    user_id = update.effective_user.id
    if action == "stop":
        await _stop(update, context, value)
        return
    state = await context.services.dialogs.current(user_id)
    if state is None or state.flow != FLOW:
        await _stale(update, context)
        return
    subs = context.services.subscriptions
    step = state.step
    if action == "restart" and not value:
        await answer_callback(update)
        await _close_buttons(update)
        state = await context.services.dialogs.start(user_id, FLOW, TOPIC)
        await ask(update, context, state)
    elif action == "discard" and not value:
        await answer_callback(update)
        await _close_buttons(update)
        await context.services.dialogs.finish(user_id)
        await reply(update, context, context.html("announce.discarded"))
    elif action == "topic" and step == TOPIC and (topic := await subs.topic(value)):
        await answer_callback(update)
        await _close_buttons(update)
        await _advance(update, context, state, topic=topic.key, has_kinds=topic.has_kinds)
    elif action == "skip" and not value and step in ("attachment", "link"):
        await answer_callback(update)
        await _close_buttons(update)
        await _advance(update, context, state)
    elif action == "kind" and step == KIND and value in {k.key for k in await subs.kinds()}:
        await answer_callback(update)
        await _close_buttons(update)
        await _advance(update, context, state, kind=value)
    elif action == "role" and step == AUDIENCE and value in AUDIENCE_ROLES:
        await answer_callback(update)
        await _toggle(update, context, state, "roles", value)
    elif action == "street" and step == AUDIENCE and value.isdigit() and \
            int(value) < len(streets := await context.services.places.streets()):
        await answer_callback(update)
        await _toggle(update, context, state, "streets", streets[int(value)].name)
    elif action == "audience" and value == "done" and step == AUDIENCE:
        await answer_callback(update)
        await _close_buttons(update)
        await _advance(update, context, state)
    elif action == "now" and not value and step == WHEN:
        await answer_callback(update)
        await _close_buttons(update)
        await _advance(update, context, state, send_at=None)
    elif action in ("edit", "send") and step == CONFIRM and \
            not is_latest_confirmation(update, state):
        log.warning("refused an earlier confirmation of user %s's announcement", user_id)
        await answer_callback(update, context.text("announce.confirmation_replaced"),
                              alert=True)
    elif action == "edit" and not value and step == CONFIRM:
        await answer_callback(update)
        await _close_buttons(update)
        await offer_fixes(update, context, state)
    elif action == "fix" and step == CONFIRM and (
            value == "none" or value in editable_steps(state.data)):
        await answer_callback(update)
        await _close_buttons(update)
        if value != "none":
            await context.services.dialogs.advance(user_id, state, value, editing=True)
        await ask(update, context, state)
    elif action == "send" and not value and step == CONFIRM:
        await answer_callback(update)
        await _close_buttons(update)
        await _publish(update, context, state)
    else:
        await _stale(update, context)


async def _toggle(update: Update, context: HotlineContext, state: DraftState, field: str,
                  value: str) -> None:
    chosen = set(state.data.get(field) or [])
    chosen ^= {value}
    await context.services.dialogs.advance(update.effective_user.id, state, state.step,
                                           **{field: sorted(chosen)})
    await ask(update, context, state, edit=True)


async def _publish(update: Update, context: HotlineContext, state: DraftState) -> None:
    draft = draft_of(update.effective_user.id, state)
    if draft.send_at is not None and draft.send_at <= utcnow():
        # The time chosen has passed while the preview waited: ask for it again.
        await context.services.dialogs.advance(update.effective_user.id, state, WHEN)
        await reply(update, context, context.html("announce.error.past"))
        await ask(update, context, state)
        return
    try:
        await context.services.announcements.announce(
            Actor.in_bot(update.effective_user.id, context.roles), draft,
            progress_chat_id=update.effective_chat.id)
    except Refused as refusal:
        await reply(update, context, context.html(refusal.key, **refusal.values))
        return
    await context.services.dialogs.finish(update.effective_user.id)


async def _stop(update: Update, context: HotlineContext, value: str) -> None:
    service = context.services.announcements
    record = await service.get(int(value)) if value.isdigit() and len(value) < 10 else None
    if record is None:
        await _stale(update, context)
        return
    try:
        await service.stop(Actor.in_bot(update.effective_user.id, context.roles), record.id)
    except Refused as refusal:
        await answer_callback(update, context.services.texts.refusal(context.locale,
                                                                     refusal.refusal),
                              alert=True)
        return
    await answer_callback(update, context.text("announce.stopped"))


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, compose_step)
    application.add_handler(CommandHandler("announce", announce,
                                           filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(compose_button, pattern=r"^ann:"))
