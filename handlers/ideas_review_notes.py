"""Staff notes on an idea and marking an idea a duplicate of another: each asks for the
text in a dialog (flows "idea_note" and "idea_duplicate") and saves it on the next message."""

from __future__ import annotations

from telegram import Update

from handlers.context import HotlineContext
from handlers.ideas_cards import acting, idea_of_button, refuse
from handlers.ideas_review_status import retire_panel
from handlers.replies import answer_callback, reply
from services.commands import STAFF_ROLES
from services.dialogs import DraftState
from services.ideas import IdeaInputError
from services.ideas.rules import normalise_reference
from services.refusals import Refused
from storage.models import Role

NOTE_FLOW, DUPLICATE_FLOW = "idea_note", "idea_duplicate"


async def ask_note(update: Update, context: HotlineContext, idea_id: int,
                   _args: list[str]) -> None:
    idea = await idea_of_button(update, context, idea_id)
    if idea is None:
        return
    await answer_callback(update)
    await retire_panel(update, context,
                       await context.services.dialogs.current(update.effective_user.id))
    await context.services.dialogs.start(update.effective_user.id, NOTE_FLOW, "note",
                                         idea_id=idea_id)
    await reply(update, context, context.html("ideas.review.ask_note", reference=idea.reference))


async def ask_duplicate(update: Update, context: HotlineContext, idea_id: int,
                        _args: list[str]) -> None:
    idea = await idea_of_button(update, context, idea_id, not_withdrawn=True)
    if idea is None:
        return
    await answer_callback(update)
    await retire_panel(update, context,
                       await context.services.dialogs.current(update.effective_user.id))
    await context.services.dialogs.start(update.effective_user.id, DUPLICATE_FLOW, "original",
                                         idea_id=idea_id)
    await reply(update, context,
                context.html("ideas.review.ask_duplicate", reference=idea.reference))


async def note_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Saves a private staff note on the idea."""
    user_id = update.effective_user.id
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(user_id)
        return
    try:
        idea = await context.services.ideas.add_note(acting(update, context),
                                                     int(state.data["idea_id"]),
                                                     update.effective_message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    except Refused as refusal:
        await context.services.dialogs.finish(user_id)
        await refuse(update, context, refusal)
        return
    await context.services.dialogs.finish(user_id)
    await reply(update, context, context.html("ideas.review.noted", reference=idea.reference))


async def duplicate_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Marks the idea a duplicate of the typed reference (the door tells its author which)."""
    user_id = update.effective_user.id
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(user_id)
        return
    reference = normalise_reference(update.effective_message.text)
    try:
        idea, original = await context.services.ideas.mark_duplicate(
            acting(update, context), int(state.data["idea_id"]), reference)
    except Refused as refusal:
        await refuse(update, context, refusal)
        # A mistyped reference can be typed again; any other refusal ends the dialog.
        if refusal.key not in ("ideas.refused.no_such_reference",
                                  "ideas.refused.duplicate_of_itself"):
            await context.services.dialogs.finish(user_id)
        return
    await context.services.dialogs.finish(user_id)
    await reply(update, context, context.html("ideas.review.duplicate_marked",
                                              reference=idea.reference,
                                              original=original.reference))

