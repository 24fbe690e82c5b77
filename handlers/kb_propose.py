"""The expert's "add to the knowledge base" after closing a case: the question and the
answer, without the asker's details, wait for staff (`hotline kb proposals`, the console)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from handlers.context import HotlineContext
from handlers.hotline_input import callback_ints, refuse_button
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.kb.service import CaseForProposal
from storage.models import Case, CaseStatus, KbEntry


async def offer_proposal(update: Update, context: HotlineContext, case: Case) -> None:
    """Called by the close step: one button under "closed"."""
    await reply(update, context, context.html("kb.propose.offer", number=case.number),
                InlineKeyboardMarkup([[InlineKeyboardButton(
                    context.text("kb.button.propose"), callback_data=f"kb:propose:{case.id}")]]))


async def _for_proposal(context: HotlineContext, case: Case) -> CaseForProposal:
    cases = context.services.hotline.cases
    messages = await cases.messages(case.id)
    question = "\n".join(m.text for m in messages if m.sender_role == "asker" and m.text)
    answer = "\n".join(m.text for m in messages if m.sender_role == "expert" and m.text)
    names, organisations = [], []
    profile = await context.services.profiles.get(case.asker_id)
    if profile is not None:
        names.append(profile.full_name)
        organisations.append(profile.organisation)
    person = await context.services.people.get(case.asker_id)
    if person is not None:
        names += [n for n in (person.first_name, person.last_name, person.full_name,
                              person.username) if n]
    attachments = tuple((m.kind, m.media_ref) for m in messages
                        if m.sender_role == "expert" and m.media_ref)
    return CaseForProposal(case.id, case.category, case.expert_id or 0, question, answer,
                           tuple(names), tuple(organisations), attachments)


async def propose(update: Update, context: HotlineContext) -> None:
    """Stores the closed case as a proposal (its expert only, once)."""
    numbers = callback_ints(update.callback_query.data, "kb:propose:", 1)
    case = await context.services.hotline.cases.get(numbers[0]) if numbers else None
    user_id = update.effective_user.id
    if case is None or case.expert_id != user_id or case.status != CaseStatus.CLOSED:
        await refuse_button(update, context, "proposal by a non-expert or of an open case")
        return
    entry = await context.services.kb.proposals.propose(await _for_proposal(context, case))
    await answer_callback(update)
    if entry is not None:  # stored now, so staff hear of each proposal once
        await _tell_staff(context, case, entry)
    key = "kb.propose.done" if entry is not None else "kb.propose.not_stored"
    await update.callback_query.edit_message_text(context.html(key, number=case.number),
                                                  parse_mode=ParseMode.HTML)


async def _tell_staff(context: HotlineContext, case: Case, entry: KbEntry) -> None:
    """A note in the case's staff topic (or the staff group) linking to the console's review."""
    cases = context.services.hotline.cases
    if cases.staff_chat_id is None:
        return
    expert = await context.services.hotline.experts.get(case.expert_id or 0)
    await cases.messenger.notify(
        cases.staff_chat_id, "kb.propose.staff_note", thread_id=case.staff_thread_id,
        expert=expert.name if expert is not None else str(case.expert_id), number=case.number,
        link=f"{context.services.console.base_url}/console/kb/{entry.id}")


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CallbackQueryHandler(propose, pattern=r"^kb:propose:"))
