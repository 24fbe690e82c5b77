"""/faq TEXT: search the knowledge base; a button under each match shows its whole answer."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import kb_reuse, kb_reuse_edit
from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, refuse_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.kb.service import Hit, attachments_of, plain_text

COMMANDS = [CommandSpec("faq", "cmd.faq")]
SHORT_ANSWER = 120  # characters of the answer shown under each match


def short_answer(answer_html: str) -> str:
    text = " ".join(plain_text(answer_html).split())
    return text if len(text) <= SHORT_ANSWER else text[: SHORT_ANSWER - 1] + "…"


def read_buttons(context: HotlineContext, hits: list[Hit]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(context.text("kb.button.read", number=i),
                                  callback_data=f"kb:read:{hit.entry.id}")]
            for i, hit in enumerate(hits, start=1)]


def render_hits(context: HotlineContext, hits: list[Hit]) -> list[dict[str, str]]:
    return [{"question": h.entry.question, "short": short_answer(h.entry.answer)} for h in hits]


async def faq(update: Update, context: HotlineContext) -> None:
    """Searches the published entries for the words after /faq."""
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, context, context.html("kb.faq.usage"))
        return
    hits = await context.services.kb.related(query)
    keyboard = InlineKeyboardMarkup(read_buttons(context, hits)) if hits else None
    await reply(update, context, context.render("kb_results", query=query,
                                                hits=render_hits(context, hits)), keyboard)


async def read_entry(update: Update, context: HotlineContext) -> None:
    """Shows one published entry in full (a retired or unknown one is refused)."""
    numbers = callback_ints(update.callback_query.data, "kb:read:", 1)
    entry = await context.services.kb.published(numbers[0]) if numbers else None
    if entry is None:
        await refuse_button(update, context, "no such published entry", key="kb.gone")
        return
    await answer_callback(update)
    # An expert on an open case may send this answer as their reply (handlers.kb_reuse).
    buttons = await kb_reuse.send_buttons(context, update.effective_user.id, entry.id)
    await reply(update, context, context.render("kb_entry", entry=entry, reusable=bool(buttons)),
                InlineKeyboardMarkup(buttons) if buttons else None)
    chat_id = update.effective_chat.id
    for kind, file_id in attachments_of(entry):
        if kind == "photo":
            await context.bot.send_photo(chat_id, file_id)
        else:
            await context.bot.send_document(chat_id, file_id)
    if buttons:
        await kb_reuse_edit.offer_edit(update, context, entry.id)


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("faq", faq))
    application.add_handler(CallbackQueryHandler(read_entry, pattern=r"^kb:read:"))
