"""Experts reuse answers: on an open case, an entry's answer goes to the asker as the expert's
reply, through the same relay as a typed one (transcript, staff topic, first-answer time)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, refuse_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.hotline.relay import Incoming
from storage.models import Case, CaseStatus, KbEntry

MAX_CASE_BUTTONS = 5


async def answering(context: HotlineContext, user_id: int) -> list[Case]:
    """The open cases this person answers as their expert."""
    cases = await context.services.hotline.relay.cases_of(user_id)
    return [c for c in cases if c.expert_id == user_id and c.status == CaseStatus.OPEN]


async def send_buttons(context: HotlineContext, user_id: int,
                       entry_id: int) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(context.text("kb.button.send", number=case.number),
                                  callback_data=f"kb:send:{entry_id}:{case.id}")]
            for case in (await answering(context, user_id))[:MAX_CASE_BUTTONS]]


async def pressed_entry_and_case(update: Update, context: HotlineContext,
                                 prefix: str) -> tuple[KbEntry, Case] | None:
    """The published entry and the presser's own open case a button names ("<prefix><entry
    id>:<case id>"); a malformed, forged or stale press is refused (None)."""
    numbers = callback_ints(update.callback_query.data, prefix, 2)
    if numbers is None:
        await refuse_button(update, context, "malformed")
        return None
    entry_id, case_id = numbers
    entry = await context.services.kb.published(entry_id)
    case = next((c for c in await answering(context, update.effective_user.id)
                 if c.id == case_id), None)
    if entry is None or case is None:
        await refuse_button(update, context, "entry or case not available",
                            key="kb.reuse.unavailable")
        return None
    return entry, case


async def send_answer(update: Update, context: HotlineContext) -> None:
    """Relays the entry's answer to the asker of the chosen case, as the expert's reply."""
    pressed = await pressed_entry_and_case(update, context, "kb:send:")
    if pressed is None:
        return
    entry, case = pressed
    await answer_callback(update)
    await relay_answer(update, context, case, entry.answer)


async def relay_answer(update: Update, context: HotlineContext, case: Case,
                       answer_html: str) -> None:
    """Relays an answer (an entry's, or the expert's edit of it) as the expert's reply."""
    user_id = update.effective_user.id
    # The answer appears in the expert's chat first, so the relay copies a message of the
    # expert's conversation exactly as it copies one they typed.
    shown = await reply(update, context, answer_html)
    if shown is None:
        return
    result = await context.services.hotline.relay.relay(
        user_id, case, Incoming(shown.chat_id, shown.message_id, "text", shown.text, None, None))
    key = "kb.reuse.sent" if result.result == "relayed" else "hotline.relay.failed"
    await update.effective_message.reply_text(context.html(key, number=case.number),
                                              parse_mode=ParseMode.HTML)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CallbackQueryHandler(send_answer, pattern=r"^kb:send:"))
