"""An expert edits a knowledge-base answer before it goes to the asker: "Edit, then send"
under an entry they read, their edited text (Telegram formatting kept, bounded), shown back
with Send and Cancel, then relayed exactly as a typed reply. The draft (flow kb_edit) keeps
the entry, the case and the latest preview, so a press on an older preview does nothing and
/cancel ends it; while it is open the relay hands their messages to it, not to the asker."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, drop_pressed_buttons, refuse_button
from handlers.kb_reuse import answering, pressed_entry_and_case, relay_answer
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.dialogs import DraftState
from services.kb.entries_csv import MAX_ANSWER

FLOW = "kb_edit"
TEXT, CONFIRM = "text", "confirm"
MAX_EDITED = MAX_ANSWER  # below Telegram's 4096, with room for the preview's heading
MAX_CASE_BUTTONS = 5


async def offer_edit(update: Update, context: HotlineContext, entry_id: int) -> None:
    """Under an entry an expert read: one "Edit, then send" button per case they answer."""
    cases = (await answering(context, update.effective_user.id))[:MAX_CASE_BUTTONS]
    if not cases:
        return
    await reply(update, context, context.html("kb.reuse.edit_offer"), InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.text("kb.button.edit", number=case.number),
                               callback_data=f"kb:edit:{entry_id}:{case.id}")]
         for case in cases]))


async def start_edit(update: Update, context: HotlineContext) -> None:
    """Opens the edit: asks for the edited text (the entry must be public, the case theirs)."""
    pressed = await pressed_entry_and_case(update, context, "kb:edit:")
    if pressed is None:
        return
    entry, case = pressed
    await answer_callback(update)
    await context.services.dialogs.start(update.effective_user.id, FLOW, TEXT,
                                         entry_id=entry.id, case_id=case.id)
    await reply(update, context, context.html("kb.reuse.edit_ask", number=case.number,
                                              limit=MAX_EDITED))


async def edited_text(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Takes the edited answer and shows it back with Send and Cancel."""
    message = update.effective_message
    if not message.text:
        await reply(update, context, context.html("kb.reuse.edit_text_only"))
        return
    if len(message.text) > MAX_EDITED:
        await reply(update, context, context.html("kb.reuse.edit_too_long", limit=MAX_EDITED,
                                                  length=len(message.text)))
        return
    case = next((c for c in await answering(context, update.effective_user.id)
                 if c.id == state.data.get("case_id")), None)
    if case is None:
        await context.services.dialogs.finish(update.effective_user.id)
        await reply(update, context, context.html("kb.reuse.unavailable"))
        return
    edited = message.text_html  # the expert's own formatting, as Telegram HTML
    preview = await reply(
        update, context, context.render("kb_edit_preview", number=case.number, edited=edited),
        InlineKeyboardMarkup([[
            InlineKeyboardButton(context.text("kb.button.edit_send"),
                                 callback_data=f"kb:editsend:{case.id}"),
            InlineKeyboardButton(context.text("kb.button.edit_cancel"),
                                 callback_data=f"kb:editcancel:{case.id}")]]))
    if preview is not None:
        await context.services.dialogs.advance(update.effective_user.id, state, CONFIRM,
                                               edited=edited, preview=preview.message_id)


async def _pressed_preview(update: Update, context: HotlineContext,
                           prefix: str) -> DraftState | None:
    """The open edit whose latest preview was pressed, or None (refused: forged or stale)."""
    numbers = callback_ints(update.callback_query.data, prefix, 1)
    state = await context.services.dialogs.current(update.effective_user.id)
    message = update.callback_query.message
    if (numbers is None or state is None or state.flow != FLOW or state.step != CONFIRM
            or state.data.get("case_id") != numbers[0] or message is None
            or state.data.get("preview") != message.message_id):
        await refuse_button(update, context, "no such edit waiting")
        return None
    return state


async def send_edited(update: Update, context: HotlineContext) -> None:
    """Sends the edited answer to the asker as the expert's reply."""
    state = await _pressed_preview(update, context, "kb:editsend:")
    if state is None:
        return
    user_id = update.effective_user.id
    case = next((c for c in await answering(context, user_id)
                 if c.id == state.data["case_id"]), None)
    await context.services.dialogs.finish(user_id)
    await drop_pressed_buttons(update)
    if case is None:
        await refuse_button(update, context, "case no longer open", key="kb.reuse.unavailable")
        return
    await answer_callback(update)
    await relay_answer(update, context, case, state.data["edited"])


async def cancel_edit(update: Update, context: HotlineContext) -> None:
    """Drops the edited answer; nothing is sent."""
    if await _pressed_preview(update, context, "kb:editcancel:") is None:
        return
    await context.services.dialogs.finish(update.effective_user.id)
    await answer_callback(update)
    await update.callback_query.edit_message_text(context.html("kb.reuse.edit_cancelled"),
                                                  parse_mode=ParseMode.HTML)


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, edited_text)
    application.add_handler(CallbackQueryHandler(start_edit, pattern=r"^kb:edit:"))
    application.add_handler(CallbackQueryHandler(send_edited, pattern=r"^kb:editsend:"))
    application.add_handler(CallbackQueryHandler(cancel_edit, pattern=r"^kb:editcancel:"))
