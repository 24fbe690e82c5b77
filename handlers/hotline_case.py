"""Buttons and commands on a case: claim, close, /end, transfer, reopen (/reopen), rate (staff's own
buttons, take over and reassign, are in hotline_staff)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import kb_propose
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_input import (
    MAX_CALLBACK_INT,
    callback_ints,
    drop_pressed_buttons,
    refuse_button,
    stale_button,
)
from handlers.hotline_staff import audit_case_change
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from storage.models import Case, CaseStatus, Role

ANSWERERS = (Role.EXPERT, Role.STAFF, Role.ADMIN)
ASKERS = frozenset({Role.SOCIAL_WORKER, Role.STAFF, Role.ADMIN})
COMMANDS = [
    CommandSpec("close", "cmd.close", frozenset(ANSWERERS)),
    CommandSpec("end", "cmd.end", ASKERS),
    CommandSpec("reopen", "cmd.reopen", ASKERS),
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
    in_staff_chat = update.effective_chat.id == context.services.hotline.cases.staff_chat_id
    outcome = await context.services.hotline.cases.claim(
        ids[0], update.effective_user.id, context.roles, in_staff_chat)
    if outcome.result == "won":
        await answer_callback(update, context.text("hotline.claim.won"))
    elif outcome.result == "unreachable":
        await answer_callback(update, context.text("hotline.claim.start_private_chat"),
                              alert=True)
    elif outcome.result == "taken" and outcome.case is not None \
            and outcome.case.status == CaseStatus.CLOSED:
        await stale_button(update, context, "hotline.stale.closed", number=outcome.case.number)
    elif outcome.result == "taken":
        await answer_callback(update, context.text("hotline.claim.taken"), alert=True)
    elif outcome.result == "refused":
        await refuse_button(update, context, f"claim of case {ids[0]}: {outcome.reason}",
                            "hotline.claim.refused")
    else:
        await refuse_button(update, context, f"claim of case {ids[0]}: {outcome.reason}")


async def _own_open_case(update: Update, context: HotlineContext, action: str,
                         *, as_asker: bool) -> Case | None:
    """The case named by the button, if the presser is its expert (or asker) and it is open."""
    ids = callback_ints(update.callback_query.data, f"hotline:{action}:", 1)
    return await _held_case(update, context, ids[0] if ids else None, action,
                            as_asker=as_asker)


async def _held_case(update: Update, context: HotlineContext, case_id: int | None, action: str,
                     *, as_asker: bool) -> Case | None:
    """The case if the presser holds it and it is open; otherwise answers the press: a
    stranger's (forged) press is refused, a participant's late press is told what happened."""
    cases = context.services.hotline.cases
    case = await cases.repository.get(case_id) if case_id is not None else None
    user_id = update.effective_user.id
    if case is None:
        await refuse_button(update, context, f"{action} of an unknown case")
        return None
    if as_asker:
        if case.asker_id != user_id:
            await refuse_button(update, context, f"{action} by a non-participant")
            return None
        if case.status == CaseStatus.CLOSED:
            await stale_button(update, context, "hotline.stale.ended", number=case.number)
            return None
        return case
    if case.expert_id != user_id:
        claims = await cases.repository.claims_of([case.id])
        if user_id not in {c.expert_id for c in claims}:
            await refuse_button(update, context, f"{action} by a non-participant")
            return None
        await stale_button(update, context, "hotline.stale.not_yours", number=case.number)
        return None
    if case.status != CaseStatus.OPEN:
        await stale_button(update, context, "hotline.stale.closed", number=case.number)
        return None
    return case


@require_roles(*ANSWERERS)
async def close_button(update: Update, context: HotlineContext) -> None:
    """Closes the expert's own open case."""
    case = await _own_open_case(update, context, "close", as_asker=False)
    if case is None:
        return
    await answer_callback(update)
    if await context.services.hotline.cases.close(case, "expert"):
        await _drop_choice(update, case.expert_anchor_id)
        await audit_case_change(update, context, "close", case, only_staff=True)
        await reply(update, context, context.html("hotline.closed.done", number=case.number))
        await kb_propose.offer_proposal(update, context, case)


async def end_button(update: Update, context: HotlineContext) -> None:
    """Ends the asker's own case."""
    case = await _own_open_case(update, context, "end", as_asker=True)
    if case is None:
        return
    await answer_callback(update)
    if await context.services.hotline.cases.close(case, "asker"):
        await _drop_choice(update, case.asker_anchor_id)


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
    user_id = update.effective_user.id
    message = update.effective_message
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    routing = await context.services.hotline.relay.route(user_id, reply_to)
    mine = [c for c in routing.candidates if c.expert_id == user_id
            and c.status == CaseStatus.OPEN]
    chosen = routing.case if routing.case in mine else None
    if chosen is None and len(mine) == 1:
        chosen = mine[0]
    if chosen is not None:
        if await context.services.hotline.cases.close(chosen, "expert"):
            await audit_case_change(update, context, "close", chosen, only_staff=True)
            await reply(update, context, context.html("hotline.closed.done",
                                                      number=chosen.number))
            await kb_propose.offer_proposal(update, context, chosen)
        return
    if not mine:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    await reply(update, context, context.html("hotline.close.which"),
                _case_buttons(mine, "close"))


async def end_command(update: Update, context: HotlineContext) -> None:
    """/end: the asker finishes their case (choosing, when they have several)."""
    cases = await context.services.hotline.cases.repository.active_of_asker(
        update.effective_user.id)
    if not cases:
        await reply(update, context, context.html("hotline.no_open_case"))
        return
    if len(cases) > 1:
        await reply(update, context, context.html("hotline.end.which"),
                    _case_buttons(cases, "end"))
        return
    await context.services.hotline.cases.close(cases[0], "asker")


@require_roles(*ANSWERERS)
async def transfer_button(update: Update, context: HotlineContext) -> None:
    """Offers the other categories, and the category's other experts, to hand the case to."""
    case = await _own_open_case(update, context, "transfer", as_asker=False)
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
    """Sends the case back to the queue of another category."""
    data = update.callback_query.data or ""
    parts = data.split(":")
    if len(parts) != 4 or not parts[2].isdigit() or int(parts[2]) >= MAX_CALLBACK_INT:
        await refuse_button(update, context, "malformed transfer")
        return
    case = await _held_case(update, context, int(parts[2]), "move", as_asker=False)
    if case is None:
        return
    if not await context.services.hotline.cases.transfer(case, case.expert_id, parts[3]):
        await refuse_button(update, context, f"transfer to {parts[3]!r} refused")
        return
    await audit_case_change(update, context, "transfer", case, only_staff=True)
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.transfer.done", number=case.number), parse_mode=ParseMode.HTML)


@require_roles(*ANSWERERS)
async def give_button(update: Update, context: HotlineContext) -> None:
    """Hands the case to another expert of the same category."""
    ids = callback_ints(update.callback_query.data, "hotline:give:", 2)
    if ids is None:
        await refuse_button(update, context, "malformed hand-over")
        return
    case = await _held_case(update, context, ids[0], "give", as_asker=False)
    if case is None:
        return
    target = await context.services.hotline.experts.get(ids[1])
    if target is None or case.category not in target.categories:
        await refuse_button(update, context, "hand-over to someone not of the category")
        return
    if not await context.services.hotline.cases.hand_over(case, target.telegram_id):
        await refuse_button(update, context, "hand-over refused")
        return
    await audit_case_change(update, context, "reassign", case, only_staff=True)
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.transfer.given", number=case.number,
                     alias=target.alias(context.locale)), parse_mode=ParseMode.HTML)


REOPEN_REPLIES = {
    "already_open": "hotline.reopen.already_open",
    "too_late": "hotline.reopen.refused",
    "never_answered": "hotline.reopen.never_answered",
}


async def reopen_button(update: Update, context: HotlineContext) -> None:
    """Reopens the asker's own case within 48 hours of closing."""
    ids = callback_ints(update.callback_query.data, "hotline:reopen:", 1)
    outcome = await context.services.hotline.cases.reopen(ids[0], update.effective_user.id) \
        if ids else None
    if outcome is None or outcome.result == "not_yours":
        await refuse_button(update, context, "reopen by a non-participant")
        return
    if outcome.result != "reopened":
        await stale_button(update, context, REOPEN_REPLIES[outcome.result],
                           number=outcome.case.number)
        return
    await answer_callback(update)
    await drop_pressed_buttons(update)  # the closing message's, or a /reopen choice's
    await _tell_reopened(update, context, outcome.case)


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
    """/reopen: the case closed in the last 48 hours, or a choice when there are several."""
    user_id = update.effective_user.id
    cases = context.services.hotline.cases
    closed = await cases.reopenable(user_id)
    if not closed:
        await reply(update, context, context.html("hotline.reopen.none"))
        return
    if len(closed) > 1:
        await reply(update, context, context.html("hotline.reopen.which"),
                    _case_buttons(closed, "reopen"))
        return
    outcome = await cases.reopen(closed[0].id, user_id)
    if outcome.result == "reopened":
        await _tell_reopened(update, context, outcome.case)
        return
    key = REOPEN_REPLIES.get(outcome.result, "hotline.reopen.refused")
    await reply(update, context, context.html(key, number=closed[0].number))


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
    commented = await context.services.hotline.cases.repository.comment(
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
    for pattern, callback in [
        ("claim", claim), ("close", close_button), ("end", end_button),
        ("transfer", transfer_button), ("move", move_button), ("give", give_button),
        ("reopen", reopen_button), ("rate", rate_button),
    ]:
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^hotline:{pattern}:"))
