"""/idea (and t.me/<bot>?start=idea): a resident's idea, asked one part at a time.

The draft lives in the `drafts` table (flow "idea"), so leaving half-way or a restart of the bot
loses nothing: the next answer continues where the person was.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.ideas_cards import card, refuse, stale, tell_staff
from handlers.keyboards import Button, inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.ideas import IdeaInputError, IdeaRefused, PhotoOffer
from services.ideas.rules import LIMITS, check_photo, clean_text
from services.places import Street

log = logging.getLogger(__name__)

COMMANDS = [CommandSpec("idea", "cmd.idea")]
FLOW = "idea"
# The parts of an idea in the order they are asked; "confirm" shows the whole idea.
STEPS = ["title", "problem", "solution", "street", "community", "photo", "contact",
         "show_name", "confirm"]
TEXT_STEPS = {"title", "problem", "solution", "contact"}
ASK_KEYS = {"title": "ideas.ask.title", "problem": "ideas.ask.problem",
            "solution": "ideas.ask.solution", "street": "ideas.ask.street",
            "community": "ideas.ask.community", "photo": "ideas.ask.photo",
            "contact": "ideas.ask.contact", "show_name": "ideas.ask.show_name"}
# What the review's "Edit" offers: a button label and the step that asks for it again (the
# place is asked as its street, then its community).
FIXABLE = {"title": ("ideas.button.field_title", "title"),
           "problem": ("ideas.button.field_problem", "problem"),
           "solution": ("ideas.button.field_solution", "solution"),
           "place": ("ideas.button.field_place", "street"),
           "photo": ("ideas.button.field_photo", "photo"),
           "contact": ("ideas.button.field_contact", "contact"),
           "name": ("ideas.button.field_show_name", "show_name")}


def question_count() -> int:
    """How many questions /idea asks (the intro says so; the last step is the review)."""
    return len(STEPS) - 1


def _question(context: HotlineContext, state: DraftState, **values: object) -> str:
    """The step's question, numbered as in the intro; unnumbered when one part is redone."""
    html = context.html(ASK_KEYS[state.step], **values)
    if state.data.get("editing"):
        return html
    return f"{STEPS.index(state.step) + 1}. {html}"


async def start_idea(update: Update, context: HotlineContext) -> None:
    """Starts a new idea, or continues the unfinished one."""
    user_id = update.effective_user.id
    try:
        await context.services.ideas.check_daily_limit(user_id)
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)
        return
    state = await context.services.dialogs.current(user_id)
    if state is not None and state.flow == FLOW:
        await reply(update, context, context.html("ideas.new.resumed"),
                    inline_keyboard(context, [[("ideas.button.restart", "ideas:new:restart")]]))
        await ask(update, context, state)
        return
    state = await context.services.dialogs.start(user_id, FLOW, STEPS[0])
    await reply(update, context, context.html("ideas.new.intro", steps=question_count(),
                                              limit=context.services.ideas.rules.daily_limit))
    await ask(update, context, state)


async def start_from_link(update: Update, context: HotlineContext, _rest: str) -> None:
    """Opens /idea from the deep link t.me/<bot>?start=idea."""
    await start_idea(update, context)


async def ask(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Asks for the draft's current part, with the buttons that part offers."""
    step = state.step
    rows: list[list[Button]] = []
    if step == "street":
        streets = await context.services.places.streets()
        await reply(update, context, _question(context, state),
                    _choices([s.label(context.locale) for s in streets], "street"))
        return
    if step == "community":
        street = await _street(context, state.data.get("street"))
        if street is None:  # the places list changed under the draft: choose again
            await context.services.dialogs.advance(update.effective_user.id, state, "street")
            await ask(update, context, state)
            return
        labels = [en if context.locale == "en" else zh for zh, en in street.communities]
        await reply(update, context, _question(context, state),
                    _choices(labels, "comm"))
        return
    if step == "confirm":
        await _show_confirmation(update, context, state)
        return
    if step == "photo":
        rows = [[("ideas.button.no_photo", "ideas:new:nophoto")]]
    elif step == "contact":
        rows = [[("ideas.button.no_contact", "ideas:new:nocontact")]]
    elif step == "show_name":
        rows = [[("ideas.button.show_name", "ideas:new:name:1"),
                 ("ideas.button.anonymous", "ideas:new:name:0")]]
    await reply(update, context, _question(context, state, limit=LIMITS.get(step, 0)),
                inline_keyboard(context, rows) if rows else None)


def _choices(labels: list[str], kind: str) -> InlineKeyboardMarkup:
    # Place names are data (the places list), so they are labels without catalogue keys.
    buttons = [InlineKeyboardButton(label, callback_data=f"ideas:new:{kind}:{index}")
               for index, label in enumerate(labels)]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def _street(context: HotlineContext, name: str | None) -> Street | None:
    for street in await context.services.places.streets():
        if street.name == name:
            return street
    return None


async def _show_confirmation(update: Update, context: HotlineContext, state: DraftState) -> None:
    data = state.data
    fields = {"reference": None, "title": data["title"], "problem": data["problem"],
              "solution": data["solution"], "street": data["street"],
              "community": data["community"], "photo": data.get("photo"),
              "contact": data.get("contact"), "show_name": data.get("show_name", False)}
    person = context.person
    author = person.first_name if person and fields["show_name"] else None
    if fields["photo"]:
        await context.bot.send_photo(update.effective_chat.id, fields["photo"])
    text = context.html("ideas.new.check") + "\n\n" + await card(
        context, fields, locale=context.locale, audience="author", author=author)
    shown = await reply(update, context, text, inline_keyboard(context, [
        [("ideas.button.submit", "ideas:new:submit")],
        [("ideas.button.edit", "ideas:new:edit")],
        [("ideas.button.restart", "ideas:new:restart"), ("ideas.button.cancel",
                                                          "ideas:new:cancel")],
    ]))
    if shown is not None:
        # Only the latest review may submit: an earlier one shows answers since changed.
        await context.services.dialogs.advance(update.effective_user.id, state, state.step,
                                               review=shown.message_id)


async def idea_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Takes the answer to the current part (text, or a photo) and asks the next."""
    message = update.effective_message
    step = state.step
    if step == "photo":
        if not message.photo:
            await reply(update, context, context.html("ideas.error.not_a_photo"))
            await ask(update, context, state)
            return
        largest = message.photo[-1]
        try:
            file_id = check_photo(PhotoOffer(largest.file_id, largest.file_size),
                                  context.services.ideas.rules.photo_max_bytes)
        except IdeaInputError as error:
            await reply(update, context, context.html(error.reason, limit=error.limit))
            await ask(update, context, state)
            return
        await _advance(update, context, state, photo=file_id)
        return
    if step not in TEXT_STEPS or message.text is None:
        # A button is expected (or text was): say so and ask again.
        await reply(update, context, context.html(
            "ideas.error.use_buttons" if step not in TEXT_STEPS else "ideas.error.text_only"))
        await ask(update, context, state)
        return
    try:
        value = clean_text(step, message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    await _advance(update, context, state, **{step: value})


async def _advance(update: Update, context: HotlineContext, state: DraftState,
                   **answer: object) -> None:
    next_step = STEPS[STEPS.index(state.step) + 1]
    if state.data.get("editing") and state.step != "street":
        # One part was redone from the review: back to the review (a street still needs
        # its community first).
        next_step = "confirm"
    if next_step == "confirm":
        answer["editing"] = False
    await context.services.dialogs.advance(update.effective_user.id, state, next_step, **answer)
    await ask(update, context, state)


async def _close_buttons(update: Update) -> None:
    """Takes the buttons off a review that is being changed, so it cannot be submitted."""
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)


async def _offer_fixes(update: Update, context: HotlineContext) -> None:
    await answer_callback(update)
    await _close_buttons(update)
    keys = list(FIXABLE.items())
    rows = [[(label, f"ideas:new:fix:{name}") for name, (label, _step) in keys[i:i + 2]]
            for i in range(0, len(keys), 2)]
    rows.append([("ideas.button.back_to_review", "ideas:new:fix:none")])
    await reply(update, context, context.html("ideas.new.fix_choose"),
                inline_keyboard(context, rows))


async def _fix(update: Update, context: HotlineContext, state: DraftState, name: str) -> None:
    """Asks one part again; the review follows as soon as it is answered."""
    await answer_callback(update)
    await _close_buttons(update)
    if name == "none":
        await ask(update, context, state)
        return
    await context.services.dialogs.advance(update.effective_user.id, state, FIXABLE[name][1],
                                           editing=True)
    await ask(update, context, state)


async def idea_button(update: Update, context: HotlineContext) -> None:
    """Handles a button of the idea dialog; refuses one that does not fit the draft."""
    query = update.callback_query
    user_id = update.effective_user.id
    action, *rest = (query.data or "").removeprefix("ideas:new:").split(":")
    state = await context.services.dialogs.current(user_id)
    if state is None or state.flow != FLOW:
        await stale(update, context, "no idea draft")
        return
    expected = {"street": "street", "comm": "community", "nophoto": "photo",
                "nocontact": "contact", "name": "show_name", "submit": "confirm",
                "edit": "confirm", "fix": "confirm"}
    if action in expected and state.step != expected[action]:
        await stale(update, context, f"draft is at {state.step}")
        return
    latest = state.data.get("review")  # None: a draft reviewed before reviews were tracked
    if action in ("submit", "edit") and latest is not None and (
            query.message is None or query.message.message_id != latest):
        log.warning("refused an earlier review of user %s's idea draft", user_id)
        await answer_callback(update, context.text("ideas.new.review_replaced"), alert=True)
        return
    if action == "cancel":
        await context.services.dialogs.finish(user_id)
        await answer_callback(update)
        await reply(update, context, context.html("ideas.new.cancelled"))
    elif action == "restart":
        await answer_callback(update)
        await ask(update, context, await context.services.dialogs.start(user_id, FLOW, STEPS[0]))
    elif action in ("street", "comm"):
        await _choose_place(update, context, state, action, rest)
    elif action in ("nophoto", "nocontact"):
        await answer_callback(update)
        field = "photo" if action == "nophoto" else "contact"
        await _advance(update, context, state, **{field: None})
    elif action == "name" and rest in (["0"], ["1"]):
        await answer_callback(update)
        await _advance(update, context, state, show_name=rest == ["1"])
    elif action == "submit":
        await _submit(update, context, state)
    elif action == "edit" and not rest:
        await _offer_fixes(update, context)
    elif action == "fix" and len(rest) == 1 and (rest[0] in FIXABLE or rest[0] == "none"):
        await _fix(update, context, state, rest[0])
    else:
        await stale(update, context, "unknown idea action")


async def _choose_place(update: Update, context: HotlineContext, state: DraftState,
                        action: str, rest: list[str]) -> None:
    index = int(rest[0]) if len(rest) == 1 and rest[0].isdigit() else -1
    streets = await context.services.places.streets()
    if action == "street":
        if not 0 <= index < len(streets):
            await stale(update, context, "no such street")
            return
        await answer_callback(update)
        await _advance(update, context, state, street=streets[index].name)
        return
    street = await _street(context, state.data.get("street"))
    if street is None or not 0 <= index < len(street.communities):
        await stale(update, context, "no such community")
        return
    await answer_callback(update)
    await _advance(update, context, state, community=street.communities[index][0])


async def _submit(update: Update, context: HotlineContext, state: DraftState) -> None:
    user_id = update.effective_user.id
    try:
        idea = await context.services.ideas.submit(user_id, state.data)
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)
        return
    except IdeaInputError as error:  # a draft made before the limits were tightened
        await answer_callback(update, context.text(error.reason, limit=error.limit), alert=True)
        return
    await context.services.dialogs.finish(user_id)
    await answer_callback(update)
    minutes = context.services.ideas.rules.edit_minutes
    await reply(update, context,
                context.render("ideas_saved", reference=idea.reference, minutes=minutes),
                inline_keyboard(context, [[("ideas.button.edit", f"ideas:my:edit:{idea.id}"),
                                           ("ideas.button.withdraw", f"ideas:my:wd:{idea.id}")]]))
    await tell_staff(context, "ideas.staff.new", idea, with_card=True)


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, idea_step)
    routes.deep_links.add("idea", start_from_link)
    routes.menu.add("idea", "menu.idea", start_idea, position=20)
    application.add_handler(CommandHandler("idea", start_idea, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(idea_button, pattern=r"^ideas:new:"))

