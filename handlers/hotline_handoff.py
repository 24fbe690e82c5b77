"""The handoff note in Telegram: after an expert chooses where their case goes (another
category, or a colleague), the choice becomes a prompt for one line for the next expert,
with buttons for the ready reasons to skip it. The line (or the skip) goes with the
action through its door (services/hotline/case_actions.py), which keeps it with the case's
history; the next expert's offer or case card shows it first."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import actor_of, callback_ints, refuse_button, refused_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.hotline.case_actions import ActionResult
from services.hotline.handoffs import SKIP_REASONS, Handoff
from services.refusals import Refused
from storage.models import Case, Role

COMMANDS: list[CommandSpec] = []  # buttons only: they follow the Transfer choice
HANDOFF_FLOW = "hotline_handoff"
ANSWERERS = (Role.EXPERT, Role.STAFF, Role.ADMIN)
MOVE, GIVE, TO_STAFF = "move", "give", "tostaff"


async def ask_for_note(update: Update, context: HotlineContext, case: Case, kind: str,
                       target: str = "") -> None:
    """Turns the pressed choice (or answers the command) into the prompt; the action waits
    for the note or a skip."""
    rows = InlineKeyboardMarkup([[InlineKeyboardButton(
        context.text(label), callback_data=f"hotline:handoff:{case.id}:{reason}")]
        for reason, label in SKIP_REASONS.items()])
    prompt = context.html("hotline.handoff.ask", number=case.number)
    if update.callback_query is not None and update.callback_query.message is not None:
        prompt_id: int | None = update.callback_query.message.message_id
        await update.callback_query.edit_message_text(prompt, parse_mode=ParseMode.HTML,
                                                      reply_markup=rows)
    else:
        sent = await reply(update, context, prompt, rows)
        prompt_id = sent.message_id if sent is not None else None
    await context.services.dialogs.start(update.effective_user.id, HANDOFF_FLOW, "note",
                                         case_id=case.id, kind=kind, target=target,
                                         prompt_id=prompt_id)


async def _hand_on(update: Update, context: HotlineContext, state: DraftState,
                   handoff: Handoff) -> tuple[ActionResult, str]:
    """The chosen action through its door, with the note; the done text's key and alias."""
    doors = context.services.hotline.actions
    actor = actor_of(update, context)
    case_id, target = int(state.data["case_id"]), str(state.data["target"])
    if state.data["kind"] == MOVE:
        done = await doors.transfer(actor, case_id, target, handoff)
        return done, context.html("hotline.transfer.done", number=done.after.number)
    if state.data["kind"] == TO_STAFF:
        done = await doors.escalate(actor, case_id, handoff)
        return done, context.html("hotline.escalate.done", number=done.after.number)
    done = await doors.reassign(actor, case_id, int(target), handoff)
    expert = await context.services.hotline.experts.get(int(target))
    return done, context.html("hotline.transfer.given", number=done.after.number,
                              alias=expert.alias(context.locale) if expert else "")


async def note_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Takes the typed line as the note and hands the case on."""
    text = update.effective_message.text
    if not text:
        await reply(update, context, context.html("hotline.handoff.text_only"))
        return
    try:
        handoff = Handoff.of(text, None)
        await context.services.dialogs.finish(update.effective_user.id)
        _, done_text = await _hand_on(update, context, state, handoff)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    await _drop_prompt(context, update.effective_user.id, state)
    await reply(update, context, done_text)


async def _drop_prompt(context: HotlineContext, chat_id: int, state: DraftState) -> None:
    """The prompt's skip buttons are spent once the note is written."""
    prompt_id = state.data.get("prompt_id")
    if isinstance(prompt_id, int):
        await context.services.hotline.cases.messenger.drop_buttons(chat_id, prompt_id)


@require_roles(*ANSWERERS)
async def skip_button(update: Update, context: HotlineContext) -> None:
    """Hands the case on without a note, keeping the reason chosen."""
    data = update.callback_query.data or ""
    ids = callback_ints(data.rsplit(":", 1)[0], "hotline:handoff:", 1)
    reason = data.rsplit(":", 1)[-1]
    user_id = update.effective_user.id
    state = await context.services.dialogs.current(user_id)
    if (ids is None or reason not in SKIP_REASONS or state is None
            or state.flow != HANDOFF_FLOW or state.data.get("case_id") != ids[0]):
        await refuse_button(update, context, "handoff skip without its pending choice")
        return
    await context.services.dialogs.finish(user_id)
    try:
        _, done_text = await _hand_on(update, context, state, Handoff.skipped(reason))
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update)
    await update.callback_query.edit_message_text(done_text, parse_mode=ParseMode.HTML)


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(HANDOFF_FLOW, note_step)
    application.add_handler(CallbackQueryHandler(skip_button, pattern=r"^hotline:handoff:"))
