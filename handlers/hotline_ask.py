"""/ask: choose a category, write the question (text, photos, documents, voice), confirm."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import kb_suggest, profile
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import carried, refuse_button, stale_button
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.hotline.cases import MAX_QUESTION_PARTS, QuestionPart
from storage.models import Role

ASKERS = (Role.SOCIAL_WORKER, Role.STAFF, Role.ADMIN)
COMMANDS = [CommandSpec("ask", "cmd.ask", frozenset(ASKERS))]
FLOW = "hotline_ask"
log = logging.getLogger(__name__)
CONFIRM_BUTTONS = [[("hotline.button.send", "hotline:ask_send"),
                    ("hotline.button.cancel", "hotline:ask_cancel")]]


@require_roles(*ASKERS)
async def ask(update: Update, context: HotlineContext) -> None:
    """Checks the asker may open a case and offers the categories."""
    user_id = update.effective_user.id
    cases = context.services.hotline.cases
    if await cases.is_blocked(user_id):
        await reply(update, context, context.html("hotline.blocked"))
        return
    if not await cases.can_open_another(user_id):
        await reply(update, context, context.html("hotline.ask.too_many",
                                                  limit=cases.max_open_cases))
        return
    if (Role.SOCIAL_WORKER.value in context.roles
            and await context.services.profiles.get(user_id) is None):
        # The expert needs to know who asks; the profile dialog comes back here when done.
        await context.services.dialogs.start(user_id, profile.FLOW, profile.STEPS[0],
                                             then=FLOW)
        await reply(update, context, context.html("hotline.ask.profile_first"))
        await reply(update, context, context.render("profile_start", profile=None,
                                                    total=len(profile.STEPS)))
        return
    await offer_categories(update, context)


async def offer_categories(update: Update, context: HotlineContext) -> None:
    """Shows one button per active category, labelled in the asker's language."""
    categories = await context.services.hotline.experts.categories()
    english = context.locale == "en"
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(c.name_en if english else c.name_zh,
                              callback_data=f"hotline:ask:{c.key}")] for c in categories])
    await reply(update, context, context.html("hotline.ask.choose"), keyboard)


@require_roles(*ASKERS)
async def category_chosen(update: Update, context: HotlineContext) -> None:
    """Stores the chosen category and asks for the question."""
    query = update.callback_query
    key = (query.data or "").removeprefix("hotline:ask:")
    category = await context.services.hotline.experts.category(key)
    if category is None:
        await refuse_button(update, context, f"unknown category {key!r}")
        return
    if not category.active:
        await stale_button(update, context, "hotline.ask.category_gone")
        return
    state = await context.services.dialogs.current(update.effective_user.id)
    if state is not None and state.flow == FLOW and state.data.get("parts"):
        # An older category list: choosing again would drop the question being written.
        await stale_button(update, context, "hotline.ask.in_progress",
                           count=len(state.data["parts"]))
        return
    await answer_callback(update)
    await context.services.dialogs.start(update.effective_user.id, FLOW, "question",
                                         category=key, parts=[])
    name = category.name_en if context.locale == "en" else category.name_zh
    await query.edit_message_text(
        context.html("hotline.ask.write", category=name, limit=MAX_QUESTION_PARTS),
        parse_mode=ParseMode.HTML)


async def question_part(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Keeps one message of the question and offers to send it."""
    message = update.effective_message
    what = carried(message)
    if what is None:
        await reply(update, context, context.html("hotline.unsupported"))
        return
    if what.kind == "text" and not (what.text or "").strip():
        await reply(update, context, context.html("hotline.ask.empty"))
        return
    parts = list(state.data.get("parts", []))
    if len(parts) >= MAX_QUESTION_PARTS:
        await reply(update, context, context.html("hotline.ask.full",
                                                  limit=MAX_QUESTION_PARTS))
        return
    parts.append([message.chat_id, message.message_id, what.kind, what.text, what.media_ref])
    previous = state.data.get("prompt_id")
    prompt = await context.bot.send_message(
        message.chat_id, context.html("hotline.ask.confirm", count=len(parts)),
        parse_mode=ParseMode.HTML, reply_markup=inline_keyboard(context, CONFIRM_BUTTONS))
    await context.services.dialogs.advance(update.effective_user.id, state, "question",
                                           parts=parts, prompt_id=prompt.message_id)
    if previous:  # superseded by the new prompt: one Send button at a time
        await _drop_prompt(context, message.chat_id, previous)


async def _drop_prompt(context: HotlineContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as error:  # deleted by the person, or too old to edit
        log.info("prompt %s#%s kept its buttons: %s", chat_id, message_id, error)


@require_roles(*ASKERS)
async def send_question(update: Update, context: HotlineContext) -> None:
    """Opens the case from the kept question (once: a second press finds no draft)."""
    user_id = update.effective_user.id
    state = await context.services.dialogs.current(user_id)
    if state is None or state.flow != FLOW or not state.data.get("parts"):
        await stale_button(update, context, "hotline.ask.stale")
        return
    cases = context.services.hotline.cases
    if not await cases.can_open_another(user_id):
        await answer_callback(update)
        await reply(update, context, context.html("hotline.ask.too_many",
                                                  limit=cases.max_open_cases))
        return
    await answer_callback(update)  # before the knowledge base is searched
    if await kb_suggest.offer_entries(update, context, state):
        return
    await open_case(update, context, state)


async def open_case(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Sends the kept question to the experts (also after the knowledge base's suggestions);
    the caller has answered the button.

    The case is stored before the draft goes and before "submitted" is said, and its id is
    kept in the draft: a kill at any point loses no question, and the re-run of this update
    finds the case instead of opening a second one. Its offers go out last; a case whose
    offers a kill cut off part-way is moved on by the escalation check at its deadline."""
    user_id = update.effective_user.id
    cases = context.services.hotline.cases
    opened = None
    if state.data.get("case_id") is None:
        parts = [QuestionPart(*part) for part in state.data["parts"]]
        suggestion = state.data.get("suggestion")
        linked = None if suggestion is None else context.services.kb.linker(suggestion)

        async def keep(case_id: int) -> None:
            await context.services.dialogs.advance(user_id, state, state.step, case_id=case_id)
            if linked is not None:
                await linked(case_id)

        opened = await cases.open(user_id, state.data["category"], parts, on_created=keep)
    await context.services.dialogs.finish(user_id)
    try:
        await update.callback_query.edit_message_text(context.html("hotline.ask.sent"),
                                                      parse_mode=ParseMode.HTML)
    except TelegramError as error:  # the prompt was deleted: the case goes on regardless
        log.info("send prompt of %s not marked sent: %s", user_id, error)
    latest = state.data.get("prompt_id")
    if latest and latest != update.callback_query.message.message_id:
        await _drop_prompt(context, update.effective_chat.id, latest)
    if opened is not None:
        await cases.route(opened)
    else:  # run again after a kill: the case exists; offered unless its offers began
        await cases.route_if_unoffered(state.data["case_id"])


async def cancel_question(update: Update, context: HotlineContext) -> None:
    """Drops the question being written."""
    state = await context.services.dialogs.current(update.effective_user.id)
    if state is None or state.flow != FLOW:
        await stale_button(update, context, "hotline.ask.stale")
        return
    await context.services.dialogs.finish(update.effective_user.id)
    await answer_callback(update)
    await update.callback_query.edit_message_text(context.html("dialog.cancelled"),
                                                  parse_mode=ParseMode.HTML)
    latest = state.data.get("prompt_id")
    if latest and latest != update.callback_query.message.message_id:
        await _drop_prompt(context, update.effective_chat.id, latest)


async def ask_from_link(update: Update, context: HotlineContext, _rest: str) -> None:
    """t.me/<bot>?start=ask: the same as /ask (for a button on a web page or a poster)."""
    await ask(update, context)


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, question_part)
    routes.deep_links.add("ask", ask_from_link)
    routes.after_profile.add(FLOW, offer_categories)
    routes.after_suggestions.add(FLOW, open_case)
    routes.menu.add("ask", "menu.ask", ask, roles=ASKERS, position=10)
    application.add_handler(CommandHandler("ask", ask, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(category_chosen, pattern=r"^hotline:ask:"))
    application.add_handler(CallbackQueryHandler(send_question, pattern=r"^hotline:ask_send$"))
    application.add_handler(CallbackQueryHandler(cancel_question,
                                                 pattern=r"^hotline:ask_cancel$"))
