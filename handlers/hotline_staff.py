"""Staff buttons on a case in its staff-group topic: take over, reassign (choose an expert).

Every change a staff member makes to a case, here or with an expert's buttons they hold
(close, transfer, hand over), is written to the audit log with the case's state before and
after, in the shape the console's case page uses (`cases.<action>`)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.audit_trail import acts_as_staff, audit
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.hotline_common import callback_ints, refuse_button
from handlers.replies import answer_callback, reply
from services.commands import CommandSpec
from storage.models import Case, CaseStatus, Role

COMMANDS: list[CommandSpec] = []  # buttons only: they come with the case's staff-topic card
STAFF = (Role.STAFF, Role.ADMIN)


async def audit_case_change(update: Update, context: HotlineContext, action: str,
                            before: Case, *, only_staff: bool = False) -> None:
    """Records `cases.<action>` on the case as it was and is now; with `only_staff`, only
    when the presser holds a staff role (an expert closing their own case is not audited)."""
    if only_staff and not acts_as_staff(context):
        return
    after = await context.services.hotline.cases.repository.get(before.id) or before
    await audit(update, context, f"cases.{action}", target=after.number, detail={
        "expert": [before.expert_id, after.expert_id],
        "category": [before.category, after.category],
        "status": [before.status, after.status]})


@require_roles(*STAFF)
async def take_over_button(update: Update, context: HotlineContext) -> None:
    """Staff take the case over from its topic in the staff group."""
    ids = callback_ints(update.callback_query.data, "hotline:takeover:", 1)
    cases = context.services.hotline.cases
    case = await cases.repository.get(ids[0]) if ids else None
    if case is None or update.effective_chat.id != cases.staff_chat_id:
        await refuse_button(update, context, "take-over outside the staff group")
        return
    if not await cases.take_over(case.id, update.effective_user.id):
        await refuse_button(update, context, f"take-over of case {case.id} not possible")
        return
    await audit_case_change(update, context, "take_over", case)
    await answer_callback(update, context.text("hotline.claim.won"))


@require_roles(*STAFF)
async def reassign_button(update: Update, context: HotlineContext) -> None:
    """Staff choose, in the case's topic, which expert of its category takes it."""
    ids = callback_ints(update.callback_query.data, "hotline:reassign:", 1)
    cases = context.services.hotline.cases
    case = await cases.repository.get(ids[0]) if ids else None
    if (case is None or case.status == CaseStatus.CLOSED
            or update.effective_chat.id != cases.staff_chat_id):
        await refuse_button(update, context, "reassign outside the staff group or closed")
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
    cases = context.services.hotline.cases
    case = await cases.repository.get(ids[0]) if ids else None
    target = await context.services.hotline.experts.get(ids[1]) if ids else None
    if (case is None or target is None or case.category not in target.categories
            or update.effective_chat.id != cases.staff_chat_id):
        await refuse_button(update, context, "reassign to someone not allowed")
        return
    if not await cases.reassign(case.id, target.telegram_id):
        await refuse_button(update, context, f"reassign of case {case.id} not possible")
        return
    await audit_case_change(update, context, "reassign", case)
    await answer_callback(update)
    await update.callback_query.edit_message_text(
        context.html("hotline.reassign.done", number=case.number, name=target.name),
        parse_mode=ParseMode.HTML)


def register(application: Application) -> None:
    for pattern, callback in [("takeover", take_over_button), ("reassign", reassign_button),
                              ("reassignto", reassign_to_button)]:
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^hotline:{pattern}:"))
