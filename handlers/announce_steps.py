"""The steps of composing an announcement: their order, their questions and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.context import HotlineContext
from handlers.entity_html import formatted_html
from handlers.replies import reply
from services.announcements.broadcasts import Draft
from services.announcements.composing import (
    ComposeInputError,
    clean_budget,
    clean_deadline,
    clean_link,
    clean_text,
    fits_telegram,
    parse_send_time,
)
from services.delivery.protocol import Outcome
from services.dialogs import DraftState
from storage.models import Role, utcnow

TOPIC, TITLE, BODY, ATTACHMENT, LINK = "topic", "title", "body", "attachment", "link"
KIND, BUDGET, DEADLINE, ELIGIBILITY, CONTACT = "kind", "budget", "deadline", "eligibility", \
    "contact"
AUDIENCE, WHEN, CONFIRM = "audience", "when", "confirm"
# Project calls carry structured fields; the other topics go from the link to the audience.
DETAIL_STEPS = [KIND, BUDGET, DEADLINE, ELIGIBILITY, CONTACT]
# Steps answered by typing (or, for the attachment, by sending a photo or a file).
TYPED_STEPS = {TITLE, BODY, ATTACHMENT, LINK, BUDGET, DEADLINE, ELIGIBILITY, CONTACT, WHEN}
# Steps whose question is the plain text announce.ask.<step>.
QUESTION_KEYS = frozenset(f"announce.ask.{step}" for step in (
    TOPIC, TITLE, BODY, ATTACHMENT, LINK, KIND, BUDGET, DEADLINE, ELIGIBILITY, CONTACT, AUDIENCE,
    WHEN))
# The label of each field the preview's "Edit" offers.
FIELD_KEYS = {
    TITLE: "announce.part.title", BODY: "announce.part.body",
    ATTACHMENT: "announce.part.attachment", LINK: "announce.part.link",
    KIND: "announce.part.kind", BUDGET: "announce.part.budget",
    DEADLINE: "announce.part.deadline", ELIGIBILITY: "announce.part.eligibility",
    CONTACT: "announce.part.contact", AUDIENCE: "announce.part.audience",
    WHEN: "announce.part.when",
}
# Roles an audience can be narrowed to.
AUDIENCE_ROLES = (Role.SOCIAL_WORKER.value, Role.RESIDENT.value, Role.EXPERT.value)


def step_order(data: dict[str, Any]) -> list[str]:
    details = DETAIL_STEPS if data.get("has_kinds") else []
    return [TOPIC, TITLE, BODY, ATTACHMENT, LINK, *details, AUDIENCE, WHEN, CONFIRM]


def next_step(step: str, data: dict[str, Any]) -> str:
    order = step_order(data)
    return order[min(order.index(step) + 1, len(order) - 1)]


def draft_of(user_id: int, state: DraftState) -> Draft:
    return Draft.from_answers(user_id, state.data)


def _zone(context: HotlineContext) -> ZoneInfo:
    return ZoneInfo(context.services.timezone)


def clean_answer(step: str, message: Message, context: HotlineContext) -> dict[str, Any]:
    """The draft fields a typed answer sets; ComposeInputError says what is wrong with it."""
    if step not in TYPED_STEPS:
        raise ComposeInputError("announce.error.use_buttons")
    if step == ATTACHMENT:
        if message.photo:
            return {"photo": message.photo[-1].file_id}
        if message.document:
            return {"document": message.document.file_id}
        raise ComposeInputError("announce.error.attachment")
    if message.text is None:
        raise ComposeInputError("announce.error.text_only")
    if step == BODY:
        clean_text("body", message.text)
        # The formatting comes from the message's entities; tags typed as text stay text.
        return {BODY: formatted_html(message)}
    if step == LINK:
        return {LINK: clean_link(message.text)}
    if step == BUDGET:
        return {BUDGET: clean_budget(message.text)}
    now = utcnow()
    if step == DEADLINE:
        return {DEADLINE: clean_deadline(message.text, now.astimezone(_zone(context)).date())}
    if step == WHEN:
        return {"send_at": parse_send_time(message.text, _zone(context), now).isoformat()}
    return {step: clean_text(step, message.text)}


def _buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in rows])


async def ask(update: Update, context: HotlineContext, state: DraftState, *,
              edit: bool = False) -> None:
    """Asks the question of the draft's current step (with its buttons, if it has any)."""
    step, text = state.step, context.text
    subs = context.services.subscriptions
    if step == TOPIC:
        rows = [[(t.label(context.locale), f"ann:topic:{t.key}")] for t in await subs.topics()]
        await reply(update, context, context.html("announce.ask.topic"), _buttons(rows))
    elif step in (ATTACHMENT, LINK):
        await reply(update, context, context.html(f"announce.ask.{step}"),
                    _buttons([[(text("announce.skip_button"), "ann:skip")]]))
    elif step == KIND:
        rows = [[(k.label(context.locale), f"ann:kind:{k.key}")] for k in await subs.kinds()]
        await reply(update, context, context.html("announce.ask.kind"), _buttons(rows))
    elif step == AUDIENCE:
        await _ask_audience(update, context, state, edit=edit)
    elif step == WHEN:
        await reply(update, context, context.html("announce.ask.when"),
                    _buttons([[(text("announce.now_button"), "ann:now")]]))
    elif step == CONFIRM:
        await _preview(update, context, state)
    else:
        await reply(update, context, context.html(f"announce.ask.{step}"))


async def _ask_audience(update: Update, context: HotlineContext, state: DraftState, *,
                        edit: bool) -> None:
    roles = set(state.data.get("roles") or [])
    streets_chosen = set(state.data.get("streets") or [])
    streets = await context.services.places.streets()
    mark = {True: "announce.chosen", False: "announce.not_chosen"}
    rows = [[(context.text(mark[r in roles], name=context.text(f"role.{r}")), f"ann:role:{r}")
             for r in AUDIENCE_ROLES]]
    rows += [[(context.text(mark[s.name in streets_chosen], name=s.label(context.locale)),
               f"ann:street:{i}")] for i, s in enumerate(streets)]
    rows.append([(context.text("announce.audience_done_button"), "ann:audience:done")])
    count = await context.services.announcements.count_recipients(
        draft_of(update.effective_user.id, state))
    html = context.render("announce_audience", count=count)
    if edit and update.callback_query is not None:
        try:
            await update.callback_query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                                          reply_markup=_buttons(rows))
        except BadRequest as error:
            if "not modified" not in error.message:
                raise
        return
    await reply(update, context, html, _buttons(rows))


async def _preview(update: Update, context: HotlineContext, state: DraftState) -> None:
    """The message exactly as recipients will see it, then the count and the confirmation."""
    draft = draft_of(update.effective_user.id, state)
    service = context.services.announcements
    message = await service.render_draft(draft, context.locale)
    limit = fits_telegram(message.html, with_file=bool(draft.photo or draft.document))
    if limit is not None:
        state.step = BODY
        # Everything else is answered: once the text is shorter, back to the preview.
        await context.services.dialogs.advance(update.effective_user.id, state, BODY,
                                               editing=True)
        await reply(update, context, context.html("announce.error.message_too_long",
                                                  limit=limit))
        await ask(update, context, state)
        return
    result = await context.services.delivery.messenger.deliver(
        update.effective_chat.id, message, paid=False, broadcast=False)
    if result.outcome is not Outcome.SENT:
        await reply(update, context, context.html("announce.error.preview",
                                                  reason=result.reason or ""))
        return
    when = _local(draft.send_at, context) if draft.send_at else None
    html = context.render("announce_confirm",
                          count=await service.count_recipients(draft), when=when)
    shown = await reply(update, context, html, _buttons([
        [(context.text("announce.send_button"), "ann:send")],
        [(context.text("announce.edit_button"), "ann:edit")],
        [(context.text("announce.discard_button"), "ann:discard")]]))
    if shown is not None:
        # Only the latest confirmation may send: an earlier one shows a draft since changed.
        await context.services.dialogs.advance(update.effective_user.id, state, state.step,
                                               confirmation=shown.message_id)


def is_latest_confirmation(update: Update, state: DraftState) -> bool:
    latest = state.data.get("confirmation")
    if latest is None:  # a draft confirmed before confirmations were tracked
        return True
    message = update.callback_query.message if update.callback_query else None
    return message is not None and message.message_id == latest


def editable_steps(data: dict[str, Any]) -> list[str]:
    """The steps the preview's "Edit" offers: all but the topic (which decides the steps)."""
    return [step for step in step_order(data) if step not in (TOPIC, CONFIRM)]


async def offer_fixes(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Lists the fields of the draft; the one chosen is asked again, then the preview."""
    steps = editable_steps(state.data)
    buttons = [(context.text(FIELD_KEYS[step]), f"ann:fix:{step}") for step in steps]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(context.text("announce.back_to_preview_button"), "ann:fix:none")])
    await reply(update, context, context.html("announce.fix_choose"), _buttons(rows))


def _local(moment: datetime, context: HotlineContext) -> str:
    return moment.astimezone(_zone(context)).strftime("%Y-%m-%d %H:%M")
