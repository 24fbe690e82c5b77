"""Staff buttons on a case in its staff-group topic: take over, reassign (choose an expert);
and what staff typing in a case's topic are told (nothing there is relayed to the asker).

Each action goes through its door in services/hotline/case_actions.py, which also writes
the audit entry (`cases.<action>`, the case's state before and after)."""

from __future__ import annotations

import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.auth import require_roles
from handlers.context import SERVICES_KEY, HotlineContext
from handlers.hotline_input import (
    actor_of,
    callback_ints,
    refuse_button,
    refused_button,
    stale_button,
)
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.refusals import Refused
from storage.models import CaseStatus, Role

COMMANDS: list[CommandSpec] = []  # buttons only: they come with the case's staff-topic card
STAFF = (Role.STAFF, Role.ADMIN)
ALREADY_YOURS = "hotline.stale.already_yours"
OUT_OF_DATE_CHOICE = frozenset({"console_ops.cases.error.other_category",
                                "console_ops.cases.error.same_expert"})


@require_roles(*STAFF)
async def take_over_button(update: Update, context: HotlineContext) -> None:
    """Staff take the case over from its topic in the staff group."""
    ids = callback_ints(update.callback_query.data, "hotline:takeover:", 1)
    try:
        await context.services.hotline.actions.take_over(actor_of(update, context),
                                                         ids[0] if ids else -1)
    except Refused as refused:
        if refused.key == ALREADY_YOURS:  # the card stays: it still works for colleagues
            await answer_callback(update, context.services.texts.refusal(
                context.locale, refused.refusal), alert=True)
        else:
            await refused_button(update, context, refused)
        return
    await answer_callback(update, context.text("hotline.claim.won"))


@require_roles(*STAFF)
async def reassign_button(update: Update, context: HotlineContext) -> None:
    """Staff choose, in the case's topic, which expert of its category takes it."""
    ids = callback_ints(update.callback_query.data, "hotline:reassign:", 1)
    cases = context.services.hotline.cases
    case = await cases.get(ids[0]) if ids else None
    if case is None or update.effective_chat.id != cases.staff_chat_id:
        await refuse_button(update, context, "reassign outside the staff group")
        return
    if case.status == CaseStatus.CLOSED:
        await stale_button(update, context, "hotline.stale.closed", number=case.number)
        return
    await answer_callback(update)
    experts = [e for e in await context.services.hotline.experts.of_category(case.category)
               if e.telegram_id not in (case.expert_id, case.asker_id)]
    if not experts:
        await reply(update, context, context.html("hotline.reassign.nobody", number=case.number))
        return
    rows = [[InlineKeyboardButton(
        f"{e.name} · {e.alias(context.locale)}",
        callback_data=f"hotline:reassignto:{case.id}:{e.telegram_id}")] for e in experts]
    await reply(update, context, context.html("hotline.reassign.choose", number=case.number),
                InlineKeyboardMarkup(rows))


@require_roles(*STAFF)
async def reassign_to_button(update: Update, context: HotlineContext) -> None:
    """Gives the case to the chosen expert, if it still can be."""
    ids = callback_ints(update.callback_query.data, "hotline:reassignto:", 2)
    if ids is None or update.effective_chat.id != context.services.hotline.cases.staff_chat_id:
        await refuse_button(update, context, "reassign to someone not allowed")
        return
    try:
        done = await context.services.hotline.actions.reassign(actor_of(update, context),
                                                               ids[0], ids[1])
    except Refused as refused:
        if refused.key in OUT_OF_DATE_CHOICE:
            # The case moved category, or already went to them: this choice is out of date.
            case = await context.services.hotline.cases.get(ids[0])
            await stale_button(update, context, "hotline.reassign.stale",
                               number=case.number if case else "")
        else:
            await refused_button(update, context, refused)
        return
    target = await context.services.hotline.experts.get(ids[1])
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.reassign.done", number=done.after.number,
                     name=target.name if target else ""),
        parse_mode=ParseMode.HTML)


async def topic_message(update: Update, context: HotlineContext) -> None:
    """Says at once, in a case's staff topic, that messages there stay among staff, and how
    to answer the asker (the topic is where staff discuss a case, so nothing is relayed)."""
    message = update.effective_message
    if message.from_user is None or message.from_user.is_bot:
        return
    case = await context.services.hotline.cases.by_staff_thread(
        message.message_thread_id)
    if case is None:
        return
    if case.status == CaseStatus.CLOSED:
        key = "hotline.topic.closed"
    elif case.expert_id == message.from_user.id:
        key = "hotline.topic.yours"
    else:
        key = "hotline.topic.not_relayed"
    hints: TopicHints = context.bot_data[TOPIC_HINTS_KEY]
    if not hints.due(message.message_thread_id, message.from_user.id, key):
        return
    await context.bot.send_message(
        message.chat_id, context.html(key, number=case.number), parse_mode=ParseMode.HTML,
        message_thread_id=message.message_thread_id,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))


class TopicHints:
    """The hint is said once per person, topic and situation within HINT_INTERVAL, so a
    staff discussion in the topic is not answered line by line (kept in memory: after a
    restart the hint is simply said once more)."""

    def __init__(self) -> None:
        self._said: dict[tuple[int, int, str], float] = {}

    def due(self, thread_id: int, user_id: int, key: str) -> bool:
        now = time.monotonic()
        if len(self._said) > MAX_REMEMBERED_HINTS:
            self._said.clear()
        said = self._said.get((thread_id, user_id, key))
        if said is not None and now - said < HINT_INTERVAL:
            return False
        self._said[(thread_id, user_id, key)] = now
        return True


HINT_INTERVAL = 600.0
MAX_REMEMBERED_HINTS = 10_000
TOPIC_HINTS_KEY = "hotline_topic_hints"
TOPIC_HINTS_GROUP = 1


def register(application: Application, routes: Routes) -> None:
    for pattern, callback in [("takeover", take_over_button), ("reassign", reassign_button),
                              ("reassignto", reassign_to_button)]:
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^hotline:{pattern}:"))
    staff_chat_id = application.bot_data[SERVICES_KEY].hotline.cases.staff_chat_id
    if staff_chat_id is not None:
        application.bot_data[TOPIC_HINTS_KEY] = TopicHints()
        # In a group of its own: a hint never keeps another feature's handler of the staff
        # group (whose topics are not all cases) from seeing the message.
        application.add_handler(MessageHandler(
            filters.Chat(staff_chat_id) & filters.IS_TOPIC_MESSAGE & ~filters.COMMAND
            & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, topic_message),
            group=TOPIC_HINTS_GROUP)
