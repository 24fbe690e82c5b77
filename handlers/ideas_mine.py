"""/myideas: my ideas with their published status and answer; editing and withdrawing them.

Every button re-checks on the server that the presser is the author and that the idea still
allows it (edit window open, not withdrawn, not yet public), whatever the button says.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.ideas_cards import callback_id, card, edit_or_reply, refuse, stale
from handlers.keyboards import Button, inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.ideas import IdeaInputError, IdeaRefused
from services.ideas.service import EDITABLE_FIELDS

COMMANDS = [CommandSpec("myideas", "cmd.myideas")]
FLOW = "idea_edit"
FIELD_BUTTONS = {"title": "ideas.button.field_title", "problem": "ideas.button.field_problem",
                 "solution": "ideas.button.field_solution"}
ASK_NEW = {"title": "ideas.edit.ask_title", "problem": "ideas.edit.ask_problem",
           "solution": "ideas.edit.ask_solution"}


async def my_ideas(update: Update, context: HotlineContext) -> None:
    """Lists my ideas, newest first, with buttons for those I may still change."""
    ideas = context.services.ideas
    mine = await ideas.mine(update.effective_user.id)
    names = await ideas.status_names(context.locale)
    rows: list[list[Button]] = []
    for idea in mine:
        row: list[Button] = []
        if ideas.can_edit(idea):
            row.append(("ideas.button.edit_ref", f"ideas:my:edit:{idea.id}"))
        if await ideas.can_withdraw(idea):
            row.append(("ideas.button.withdraw_ref", f"ideas:my:wd:{idea.id}"))
        if row:
            rows.append(row)
    listed = [{"reference": i.reference, "title": i.title,
               "status": names.get(i.published_status, i.published_status),
               "answer": i.published_answer, "withdrawn": i.withdrawn_at is not None,
               "duplicate": i.duplicate_of_id is not None} for i in mine]
    keyboard = None
    if rows:
        # Labels carry the reference, so they are formatted here rather than by inline_keyboard.
        refs = {f"{i.id}": i.reference for i in mine}
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            context.text(key, reference=refs[data.rsplit(":", 1)[1]]), callback_data=data)
            for key, data in row] for row in rows])
    await reply(update, context, context.render("ideas_mine", ideas=listed), keyboard)


async def my_idea_button(update: Update, context: HotlineContext) -> None:
    """Edit, choose a field, or withdraw: only the author, only while the idea allows it."""
    query = update.callback_query
    parts = (query.data or "").split(":")
    action = parts[2] if len(parts) > 3 else ""
    idea_id = callback_id(parts[3]) if len(parts) > 3 else None
    if idea_id is None:
        await stale(update, context, "malformed")
        return
    ideas = context.services.ideas
    user_id = update.effective_user.id
    try:
        idea = await ideas.own_idea(user_id, idea_id)
        if action == "edit" and len(parts) == 4:
            ideas.check_editable(idea)
            await answer_callback(update)
            rows = [[(FIELD_BUTTONS[f], f"ideas:my:field:{idea_id}:{f}") for f in EDITABLE_FIELDS]]
            await reply(update, context, context.html("ideas.edit.choose",
                                                      reference=idea.reference),
                        inline_keyboard(context, rows))
        elif action == "field" and len(parts) == 5 and parts[4] in EDITABLE_FIELDS:
            ideas.check_editable(idea)
            await answer_callback(update)
            await context.services.dialogs.start(user_id, FLOW, parts[4], idea_id=idea_id)
            await reply(update, context, context.html(ASK_NEW[parts[4]]))
        elif action == "wd" and len(parts) == 4:
            await answer_callback(update)
            await reply(update, context, context.html("ideas.withdraw.confirm",
                                                      reference=idea.reference),
                        inline_keyboard(context, [[
                            ("ideas.button.withdraw_yes", f"ideas:my:wdyes:{idea_id}"),
                            ("ideas.button.keep", f"ideas:my:keep:{idea_id}")]]))
        elif action == "wdyes" and len(parts) == 4:
            withdrawn = await ideas.withdraw(user_id, idea_id)
            await answer_callback(update)
            await edit_or_reply(update, context, context.html(
                "ideas.withdraw.done", reference=withdrawn.reference))
        elif action == "keep" and len(parts) == 4:
            await answer_callback(update)
            await edit_or_reply(update, context, context.html(
                "ideas.withdraw.kept", reference=idea.reference))
        else:
            await stale(update, context, "unknown action")
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)


async def edit_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Stores the new text of the chosen field, if the edit window is still open."""
    user_id = update.effective_user.id
    try:
        idea = await context.services.ideas.edit(user_id, int(state.data["idea_id"]),
                                                 state.step, update.effective_message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    except IdeaRefused as refusal:
        await context.services.dialogs.finish(user_id)
        await refuse(update, context, refusal)
        return
    await context.services.dialogs.finish(user_id)
    # The author's card names them as the public will see it: by first name when they agreed.
    person = context.person
    author = person.first_name if person is not None and idea.show_name else None
    await reply(update, context, context.html("ideas.edit.saved", reference=idea.reference)
                + "\n\n" + await card(context, idea, locale=context.locale, audience="author",
                                       author=author))


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, edit_step)
    application.add_handler(CommandHandler("myideas", my_ideas, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(my_idea_button, pattern=r"^ideas:my:"))
