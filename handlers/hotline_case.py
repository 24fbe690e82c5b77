"""Buttons and commands on a case: claim, close, /end, transfer (to a category or an
expert), /tostaff, release (/release), reopen (/reopen; staff: /reopen N), rate. Each action goes
through its door in services/hotline/case_actions.py (staff's own buttons, take over and
reassign, are in hotline_staff)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import hotline_handoff, kb_propose
from handlers.audit_trail import acts_as_staff
from handlers.auth import require_roles
from handlers.context import SERVICES_KEY, HotlineContext
from handlers.hotline_input import (
    MAX_CALLBACK_INT,
    actor_of,
    callback_ints,
    drop_pressed_buttons,
    refuse_button,
    refused_button,
    stale_button,
)
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.actors import Actor
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.refusals import Refused
from storage.models import Case, CaseStatus, Role

ANSWERERS = (Role.EXPERT, Role.STAFF, Role.ADMIN)
ASKERS = frozenset({Role.SOCIAL_WORKER, Role.STAFF, Role.ADMIN})
COMMANDS = [
    CommandSpec("close", "cmd.close", frozenset(ANSWERERS)),
    CommandSpec("end", "cmd.end", ASKERS),
    CommandSpec("reopen", "cmd.reopen", ASKERS),
    CommandSpec("release", "cmd.release", frozenset(ANSWERERS)),
    CommandSpec("tostaff", "cmd.tostaff", frozenset(ANSWERERS)),
]
COMMENT_FLOW = "hotline_comment"
MAX_COMMENT = 1000


@require_roles(*ANSWERERS)
async def claim(update: Update, context: HotlineContext) -> None:
    """Claims a case for the presser, if they were offered it and nobody was faster."""
    ids = callback_ints(update.callback_query.data, "hotline:claim:", 1)
    if ids is None:
        await refuse_button(update, context, "malformed claim")
        return
    try:
        await context.services.hotline.actions.claim(actor_of(update, context), ids[0])
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update, context.text("hotline.claim.won"))


def _case_id(update: Update, action: str, count: int = 1) -> list[int] | None:
    return callback_ints(update.callback_query.data, f"hotline:{action}:", count)


async def _pressed_case(update: Update, context: HotlineContext, action: str) -> Case | None:
    """The open case the presser holds, named by the button; otherwise the press is
    answered (a stranger's refused, a participant's late press told what happened)."""
    ids = _case_id(update, action)
    if ids is None:
        await refuse_button(update, context, f"malformed {action}")
        return None
    return await _held_by_presser(update, context, ids[0])


@require_roles(*ANSWERERS)
async def close_button(update: Update, context: HotlineContext) -> None:
    """Closes the expert's own open case."""
    ids = _case_id(update, "close")
    try:
        done = await context.services.hotline.actions.close(actor_of(update, context),
                                                            ids[0] if ids else -1)
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update)
    await _drop_choice(update, done.before.expert_anchor_id)
    await reply(update, context, context.html("hotline.closed.done", number=done.after.number))
    await kb_propose.offer_proposal(update, context, done.after)


async def end_button(update: Update, context: HotlineContext) -> None:
    """Ends the asker's own case."""
    ids = _case_id(update, "end")
    try:
        done = await context.services.hotline.actions.close(
            Actor(update.effective_user.id, frozenset()), ids[0] if ids else -1)
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update)
    await _drop_choice(update, done.before.asker_anchor_id)


async def _drop_choice(update: Update, anchor_id: int | None) -> None:
    """A "which case?" choice is done once made (the case card's buttons the service takes
    off itself)."""
    message = update.callback_query.message
    if message is not None and message.message_id != anchor_id:
        await drop_pressed_buttons(update)


def _case_buttons(cases: list[Case], action: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        c.number, callback_data=f"hotline:{action}:{c.id}")] for c in cases])


@require_roles(*ANSWERERS)
async def close_command(update: Update, context: HotlineContext) -> None:
    """/close: the case replied to, the only open one, or a choice between them."""
    chosen, mine = await _my_open_case(update, context)
    if chosen is not None:
        try:
            done = await context.services.hotline.actions.close(actor_of(update, context),
                                                                chosen.id)
        except Refused as refused:
            await reply(update, context, context.refusal(refused))
            return
        await reply(update, context, context.html("hotline.closed.done",
                                                  number=done.after.number))
        await kb_propose.offer_proposal(update, context, done.after)
        return
    if not mine:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    await reply(update, context, context.html("hotline.close.which"),
                _case_buttons(mine, "close"))


async def _my_open_case(update: Update, context: HotlineContext
                        ) -> tuple[Case | None, list[Case]]:
    """The case replied to, or the only open one, of the sender's open cases."""
    user_id = update.effective_user.id
    message = update.effective_message
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    routing = await context.services.hotline.relay.route(user_id, reply_to)
    mine = [c for c in routing.candidates if c.expert_id == user_id
            and c.status == CaseStatus.OPEN]
    chosen = routing.case if routing.case in mine else None
    if chosen is None and len(mine) == 1:
        chosen = mine[0]
    return chosen, mine


async def end_command(update: Update, context: HotlineContext) -> None:
    """/end: the asker finishes their case (choosing, when they have several)."""
    cases = await context.services.hotline.cases.active_of_asker(update.effective_user.id)
    if not cases:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    if len(cases) > 1:
        await reply(update, context, context.html("hotline.end.which"),
                    _case_buttons(cases, "end"))
        return
    try:
        await context.services.hotline.actions.close(
            Actor(update.effective_user.id, frozenset()), cases[0].id)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))


@require_roles(*ANSWERERS)
async def transfer_button(update: Update, context: HotlineContext) -> None:
    """Offers the other categories, and the category's other experts, to hand the case to."""
    case = await _pressed_case(update, context, "transfer")
    if case is None:
        return
    await answer_callback(update)
    experts = context.services.hotline.experts
    english = context.locale == "en"
    rows = [[InlineKeyboardButton(
        c.name_en if english else c.name_zh, callback_data=f"hotline:move:{case.id}:{c.key}")]
        for c in await experts.categories() if c.key != case.category]
    rows += [[InlineKeyboardButton(e.alias(context.locale),
                                   callback_data=f"hotline:give:{case.id}:{e.telegram_id}")]
             for e in await experts.of_category(case.category)
             if e.telegram_id not in (update.effective_user.id, case.asker_id)
             and not e.stepped_off]
    await reply(update, context, context.html("hotline.transfer.choose", number=case.number),
                InlineKeyboardMarkup(rows))


@require_roles(*ANSWERERS)
async def move_button(update: Update, context: HotlineContext) -> None:
    """Another category chosen: asks for the handoff note, then transfers the case."""
    data = update.callback_query.data or ""
    parts = data.split(":")
    if len(parts) != 4 or not parts[2].isdigit() or int(parts[2]) >= MAX_CALLBACK_INT:
        await refuse_button(update, context, "malformed transfer")
        return
    case = await _held_by_presser(update, context, int(parts[2]))
    if case is None:
        return
    if await context.services.hotline.experts.category(parts[3][:32]) is None:
        await refuse_button(update, context, f"transfer to {parts[3][:32]!r} refused")
        return
    await answer_callback(update)
    await hotline_handoff.ask_for_note(update, context, case, hotline_handoff.MOVE,
                                       parts[3][:32])


@require_roles(*ANSWERERS)
async def give_button(update: Update, context: HotlineContext) -> None:
    """A colleague chosen: asks for the handoff note, then hands the case to them."""
    ids = _case_id(update, "give", 2)
    if ids is None:
        await refuse_button(update, context, "malformed hand-over")
        return
    case = await _held_by_presser(update, context, ids[0])
    if case is None:
        return
    await answer_callback(update)
    await hotline_handoff.ask_for_note(update, context, case, hotline_handoff.GIVE,
                                       str(ids[1]))


async def _held_by_presser(update: Update, context: HotlineContext, case_id: int
                           ) -> Case | None:
    actions = context.services.hotline.actions
    try:
        case = await actions.find(case_id)
        await actions.check_holder(actor_of(update, context), case)
    except Refused as refused:
        await refused_button(update, context, refused)
        return None
    return case


@require_roles(*ANSWERERS)
async def release_button(update: Update, context: HotlineContext) -> None:
    """The /release choice: the expert gives that case up; it is offered afresh."""
    ids = _case_id(update, "release")
    try:
        done = await context.services.hotline.actions.release(actor_of(update, context),
                                                              ids[0] if ids else -1)
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.release.done", number=done.after.number),
        parse_mode=ParseMode.HTML)


@require_roles(*ANSWERERS)
async def release_command(update: Update, context: HotlineContext) -> None:
    """/release: the case replied to, the only open one, or a choice between them."""
    chosen, mine = await _my_open_case(update, context)
    if chosen is None and not mine:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    if chosen is None:
        await reply(update, context, context.html("hotline.release.which"),
                    _case_buttons(mine, "release"))
        return
    try:
        done = await context.services.hotline.actions.release(actor_of(update, context),
                                                              chosen.id)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    await reply(update, context, context.html("hotline.release.done",
                                              number=done.after.number))


@require_roles(*ANSWERERS)
async def to_staff_command(update: Update, context: HotlineContext) -> None:
    """/tostaff: hands the case replied to (or the only open one) to bureau staff, after
    asking for the handoff note."""
    chosen, mine = await _my_open_case(update, context)
    if chosen is None and not mine:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    if chosen is None:
        await reply(update, context, context.html("hotline.escalate.which"),
                    _case_buttons(mine, "tostaff"))
        return
    await hotline_handoff.ask_for_note(update, context, chosen, hotline_handoff.TO_STAFF)


@require_roles(*ANSWERERS)
async def to_staff_button(update: Update, context: HotlineContext) -> None:
    """The /tostaff choice: asks for the handoff note of that case."""
    case = await _pressed_case(update, context, "tostaff")
    if case is None:
        return
    await answer_callback(update)
    await hotline_handoff.ask_for_note(update, context, case, hotline_handoff.TO_STAFF)


async def reopen_button(update: Update, context: HotlineContext) -> None:
    """Reopens the asker's own case within 48 hours of closing."""
    ids = _case_id(update, "reopen")
    try:
        done = await context.services.hotline.actions.reopen(
            Actor(update.effective_user.id, frozenset()), ids[0] if ids else -1)
    except Refused as refused:
        await refused_button(update, context, refused)
        return
    await answer_callback(update)
    await drop_pressed_buttons(update)  # the closing message's, or a /reopen choice's
    await _tell_reopened(update, context, done.after)


async def _tell_reopened(update: Update, context: HotlineContext, reopened: Case) -> None:
    # A comment still invited on the rating would swallow the next message meant for the
    # expert: reopening ends that invitation.
    state = await context.services.dialogs.current(reopened.asker_id)
    if state is not None and state.flow == COMMENT_FLOW:
        await context.services.dialogs.finish(reopened.asker_id)
    await context.bot.send_message(
        update.effective_chat.id, context.html("hotline.reopened.asker",
                                               number=reopened.number),
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(reopened.asker_anchor_id,
                                         allow_sending_without_reply=True)
        if reopened.asker_anchor_id else None)


@require_roles(Role.SOCIAL_WORKER, Role.STAFF, Role.ADMIN)
async def reopen_command(update: Update, context: HotlineContext) -> None:
    """/reopen: the case closed in the last 48 hours, or a choice when there are several;
    staff name any case (/reopen C-2026-0001) and open it again for its expert."""
    if context.args and acts_as_staff(context):
        await _staff_reopen(update, context, context.args[0][:24])
        return
    user_id = update.effective_user.id
    closed = await context.services.hotline.cases.reopenable(user_id)
    if not closed:
        await reply(update, context, context.html("hotline.reopen.none"))
        return
    if len(closed) > 1:
        await reply(update, context, context.html("hotline.reopen.which"),
                    _case_buttons(closed, "reopen"))
        return
    try:
        done = await context.services.hotline.actions.reopen(Actor(user_id, frozenset()),
                                                             closed[0].id)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    await _tell_reopened(update, context, done.after)


@require_roles(Role.STAFF, Role.ADMIN)
async def staff_reopen_command(update: Update, context: HotlineContext) -> None:
    """/reopen in the staff group: the case named, or the case of the topic it is sent in."""
    if context.args:
        await _staff_reopen(update, context, context.args[0][:24])
        return
    message = update.effective_message
    case = (await context.services.hotline.cases.by_staff_thread(message.message_thread_id)
            if message.message_thread_id else None)
    if case is None:
        await reply(update, context, context.html("hotline.reopen.staff_usage"))
        return
    await _staff_reopen(update, context, case.number)


async def _staff_reopen(update: Update, context: HotlineContext, number: str) -> None:
    try:
        done = await context.services.hotline.actions.reopen(actor_of(update, context), number)
    except Refused as refused:
        await reply(update, context, context.refusal(refused))
        return
    await reply(update, context, context.html("hotline.reopen.staff_done",
                                              number=done.after.number))


def _after_rating(context: HotlineContext, case: Case) -> InlineKeyboardMarkup | None:
    """What stays on the closing message once rated: Reopen, while reopening is possible."""
    if not context.services.hotline.cases.can_reopen(case):
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        context.text("hotline.button.reopen"), callback_data=f"hotline:reopen:{case.id}")]])


async def rate_button(update: Update, context: HotlineContext) -> None:
    """Keeps the asker's 1-5 stars and invites an optional comment."""
    ids = callback_ints(update.callback_query.data, "hotline:rate:", 2)
    user_id = update.effective_user.id
    cases = context.services.hotline.cases
    outcome = await cases.rate(ids[0], user_id, ids[1]) if ids else None
    if outcome is None or outcome.result == "not_yours":
        await refuse_button(update, context, "rating refused")
        return
    case = outcome.case
    if outcome.result == "open_again":
        await stale_button(update, context, "hotline.rate.open_again", number=case.number)
        return
    if outcome.result == "already_rated":
        await answer_callback(update, context.text(
            "hotline.rate.already", number=case.number, stars="★" * outcome.stars), alert=True)
        return
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.rate.thanks", number=case.number, stars="★" * ids[1]),
        parse_mode=ParseMode.HTML, reply_markup=_after_rating(context, case))
    await context.services.dialogs.start(user_id, COMMENT_FLOW, "comment", case_id=case.id)
    await reply(update, context, context.html("hotline.rate.comment"))
    # Issue 15: the expert is told; 1 or 2 stars go to staff at once (rating_notices).
    await context.services.hotline.duty_cases.ratings.rated(case.id)


async def comment_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Stores the optional comment on a rating."""
    text = " ".join((update.effective_message.text or "").split())
    if not text:
        await reply(update, context, context.html("hotline.rate.comment_text_only"))
        return
    if len(text) > MAX_COMMENT:
        await reply(update, context, context.html("hotline.rate.comment_too_long",
                                                  limit=MAX_COMMENT))
        return
    commented = await context.services.hotline.cases.comment(
        state.data["case_id"], update.effective_user.id, text)
    await context.services.dialogs.finish(update.effective_user.id)
    await reply(update, context, context.html("hotline.rate.comment_saved"))
    if commented:  # issue 15: the comment follows the rating to the expert (and staff)
        await context.services.hotline.duty_cases.ratings.commented(state.data["case_id"])


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(COMMENT_FLOW, comment_step)
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("close", close_command, filters=private))
    application.add_handler(CommandHandler("end", end_command, filters=private))
    application.add_handler(CommandHandler("reopen", reopen_command, filters=private))
    application.add_handler(CommandHandler("release", release_command, filters=private))
    application.add_handler(CommandHandler("tostaff", to_staff_command, filters=private))
    staff_chat_id = application.bot_data[SERVICES_KEY].hotline.cases.staff_chat_id
    if staff_chat_id is not None:
        application.add_handler(CommandHandler("reopen", staff_reopen_command,
                                               filters=filters.Chat(staff_chat_id)))
    for pattern, callback in [
        ("claim", claim), ("close", close_button), ("end", end_button),
        ("transfer", transfer_button), ("move", move_button), ("give", give_button),
        ("release", release_button), ("tostaff", to_staff_button),
        ("reopen", reopen_button), ("rate", rate_button),
    ]:
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^hotline:{pattern}:"))
