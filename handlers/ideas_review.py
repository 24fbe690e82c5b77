"""/review: staff move ideas through the statuses, answer, publish, note and mark duplicates.

A status change is prepared in a dialog (flow "idea_answer": the target status, an optional
answer, publish now or later) and applied with one button, so nothing half-done reaches the
author. Every button checks the role again and that the idea is still in the status the card
showed: a stale or forged press is refused, logged, and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import dialogs
from handlers.audit_trail import audit
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.ideas_common import (
    callback_id,
    card,
    edit_or_reply,
    notify_author,
    refuse,
    send_photo_of,
    stale,
)
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from services.commands import STAFF_ROLES, CommandSpec
from services.ideas import IdeaInputError, IdeaRefused, StatusChange
from services.ideas.rules import clean_text, normalise_reference
from storage.models import Idea, Role
from storage.repositories.drafts import DraftState

COMMANDS = [CommandSpec("review", "cmd.review", STAFF_ROLES)]
ANSWER_FLOW, NOTE_FLOW, DUPLICATE_FLOW = "idea_answer", "idea_note", "idea_duplicate"
NO_FILTER = "-"
STAFF = (Role.STAFF, Role.ADMIN)


# ---------------------------------------------------------------------- the queue


async def _parse_filter(context: HotlineContext, raw: str) -> tuple[str, dict] | None:
    """"accepted" / "已采纳" -> a status; "太和街道" / "Taihe Street" -> a street."""
    wanted = raw.strip().casefold()
    if not wanted:
        return NO_FILTER, {}
    for status in await context.services.ideas.statuses():
        if wanted in (status.key, status.name_zh.casefold(), status.name_en.casefold()):
            return f"s.{status.key}", {"status": status.key}
    for index, street in enumerate(await context.services.places.streets()):
        if wanted in (street.name.casefold(), street.name_en.casefold()):
            return f"t.{index}", {"street": street.name}
    return None


async def _filter_from_code(context: HotlineContext, code: str) -> dict | None:
    if code == NO_FILTER:
        return {}
    if code.startswith("s."):
        return {"status": code[2:]}
    streets = await context.services.places.streets()
    if code.startswith("t.") and code[2:].isdigit() and int(code[2:]) < len(streets):
        return {"street": streets[int(code[2:])].name}
    return None


@require_roles(*STAFF)
async def review(update: Update, context: HotlineContext) -> None:
    """Shows the oldest idea awaiting review (or one by reference, or filtered)."""
    raw = " ".join(context.args or [])
    reference = normalise_reference(raw)
    if reference is not None:
        idea = await context.services.ideas.find(reference)
        if idea is None:
            await reply(update, context, context.html("ideas.refused.no_such_reference"))
            return
        await show_card(update, context, idea, NO_FILTER)
        return
    parsed = await _parse_filter(context, raw)
    if parsed is None:
        names = await context.services.ideas.status_names(context.locale)
        await reply(update, context, context.html("ideas.review.unknown_filter",
                                                  statuses=", ".join(names)))
        return
    code, criteria = parsed
    idea = await context.services.ideas.next_in_queue(**criteria)
    if idea is None:
        await reply(update, context, context.html("ideas.review.empty"))
        return
    await show_card(update, context, idea, code)


async def show_card(update: Update, context: HotlineContext, idea: Idea, code: str) -> None:
    """Sends the staff card of an idea: everything, history and notes, and its buttons."""
    ideas = context.services.ideas
    names = await ideas.status_names(context.locale)
    zone = ZoneInfo(context.services.timezone)
    history = [{"kind": e.kind, "status": names.get(e.status or "", e.status), "text": e.text,
                "at": _aware(e.created_at).astimezone(zone).strftime("%m-%d %H:%M")}
               for e in await ideas.history(idea.id)]
    author = await context.services.people.get(idea.author_id)
    # An author who used /forget is shown as no one (not as their bare Telegram id).
    named = author is not None and author.forgotten_at is None
    body = await card(context, idea, locale=context.locale, audience="staff",
                      author=author.display_name if named else None)
    # The card is our own rendered (already escaped) HTML: embed it as is.
    text = context.render("ideas_review", card=Markup(body), idea=idea, history=history,  # noqa: S704
                          published=names.get(idea.published_status, idea.published_status),
                          pending=_pending(idea))
    await send_photo_of(context, update.effective_chat.id, idea)
    await reply(update, context, text, await _review_keyboard(context, idea, code))


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pending(idea: Idea) -> bool:
    return idea.status != idea.published_status or idea.answer != idea.published_answer


async def _review_keyboard(context: HotlineContext, idea: Idea,
                           code: str) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if idea.withdrawn_at is None and idea.duplicate_of_id is None:
        moves = [InlineKeyboardButton(
            context.text("ideas.button.move", status=s.name_en if context.locale == "en"
                         else s.name_zh),
            callback_data=f"ideas:rv:to:{idea.id}:{idea.status}:{s.key}")
            for s in await context.services.ideas.statuses() if s.key != idea.status]
        rows += [moves[i:i + 2] for i in range(0, len(moves), 2)]
        extra = [("ideas.button.note", f"ideas:rv:note:{idea.id}"),
                 ("ideas.button.duplicate", f"ideas:rv:dup:{idea.id}")]
        if _pending(idea):
            extra.insert(0, ("ideas.button.publish", f"ideas:rv:publish:{idea.id}"))
        rows.append([InlineKeyboardButton(context.text(k), callback_data=d) for k, d in extra])
    else:
        rows.append([InlineKeyboardButton(context.text("ideas.button.note"),
                                          callback_data=f"ideas:rv:note:{idea.id}")])
    if idea.hidden_at is not None:
        rows.append([InlineKeyboardButton(context.text("ideas.button.unhide"),
                                          callback_data=f"ideas:rv:unhide:{idea.id}")])
    rows.append([InlineKeyboardButton(context.text("ideas.button.next"),
                                      callback_data=f"ideas:rv:next:{idea.id}:{code}")])
    return InlineKeyboardMarkup(rows)


# ---------------------------------------------------------------------- buttons


@require_roles(*STAFF)
async def review_button(update: Update, context: HotlineContext) -> None:
    """Dispatches a review button after checking its shape; the role is checked above."""
    parts = (update.callback_query.data or "").split(":")
    action = parts[2] if len(parts) > 3 else ""
    idea_id = callback_id(parts[3]) if len(parts) > 3 else None
    handler = _ACTIONS.get((action, len(parts)))
    if handler is None or idea_id is None:
        await stale(update, context, "malformed review button")
        return
    try:
        await handler(update, context, idea_id, parts[4:])
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)


async def _move(update: Update, context: HotlineContext, idea_id: int, args: list[str]) -> None:
    expected, target = args
    idea = await context.services.ideas.get(idea_id)
    if idea is None:
        await stale(update, context, "no such idea")
        return
    if idea.withdrawn_at is not None:
        raise IdeaRefused("ideas.refused.withdrawn", reference=idea.reference)
    names = await context.services.ideas.status_names(context.locale)
    if idea.status != expected or target not in names or target == expected:
        await stale(update, context, f"idea {idea.reference} is {idea.status}, not {expected}")
        return
    await answer_callback(update)
    state = await context.services.dialogs.start(
        update.effective_user.id, ANSWER_FLOW, "answer", idea_id=idea_id, expected=expected,
        status=target, publish=True, answer=None)
    await reply(update, context, await _prompt(context, idea, state),
                _prompt_keyboard(context, idea_id, publish=True))


async def _prompt(context: HotlineContext, idea: Idea, state: DraftState) -> str:
    names = await context.services.ideas.status_names(context.locale)
    return context.render("ideas_answer_prompt", reference=idea.reference,
                          old=names.get(state.data["expected"]),
                          new=names.get(state.data["status"]), answer=state.data["answer"],
                          publish=state.data["publish"])


def _prompt_keyboard(context: HotlineContext, idea_id: int, *,
                     publish: bool) -> InlineKeyboardMarkup:
    toggle = "ideas.button.publish_now_on" if publish else "ideas.button.publish_now_off"
    return inline_keyboard(context, [
        [("ideas.button.apply", f"ideas:rv:apply:{idea_id}")],
        [(toggle, f"ideas:rv:pubnow:{idea_id}"),
         ("ideas.button.cancel", f"ideas:rv:cancel:{idea_id}")],
    ])


async def _pending_change(update: Update, context: HotlineContext,
                          idea_id: int) -> DraftState | None:
    state = await context.services.dialogs.current(update.effective_user.id)
    if state is None or state.flow != ANSWER_FLOW or state.data.get("idea_id") != idea_id:
        await stale(update, context, "no pending change for this idea")
        return None
    return state


async def _toggle_publish(update: Update, context: HotlineContext, idea_id: int,
                          _args: list[str]) -> None:
    state = await _pending_change(update, context, idea_id)
    idea = await context.services.ideas.get(idea_id)
    if state is None or idea is None:
        return
    await context.services.dialogs.advance(update.effective_user.id, state, "answer",
                                           publish=not state.data["publish"])
    await answer_callback(update)
    await edit_or_reply(update, context, await _prompt(context, idea, state),
                        _prompt_keyboard(context, idea_id, publish=state.data["publish"]))


async def _cancel(update: Update, context: HotlineContext, idea_id: int,
                  _args: list[str]) -> None:
    if await _pending_change(update, context, idea_id) is None:
        return
    await context.services.dialogs.finish(update.effective_user.id)
    await answer_callback(update)
    await edit_or_reply(update, context, context.html("ideas.review.cancelled"))


async def _apply(update: Update, context: HotlineContext, idea_id: int,
                 _args: list[str]) -> None:
    state = await _pending_change(update, context, idea_id)
    if state is None:
        return
    user_id = update.effective_user.id
    data = state.data
    try:
        change = await context.services.ideas.change_status(
            user_id, idea_id, data["expected"], data["status"], data["answer"], data["publish"])
    finally:
        await context.services.dialogs.finish(user_id)
    await answer_callback(update)
    await audit(update, context, "ideas.status", target=change.idea.reference, detail={
        "from": data["expected"], "to": data["status"], "published": data["publish"],
        "answer": data["answer"], "notify_author": change.notify_author})
    await _after_change(update, context, change, "ideas.review.applied")


async def _after_change(update: Update, context: HotlineContext, change: StatusChange,
                        key: str) -> None:
    idea = change.idea
    names = await context.services.ideas.status_names(context.locale)
    done = context.html(key, reference=idea.reference,
                        status=names.get(idea.status, idea.status))
    done += "\n" + context.html("ideas.review.author_notified" if change.notify_author
                                else "ideas.review.author_not_notified")
    await edit_or_reply(update, context, done)
    if change.notify_author:
        await notify_author(context, idea)
    await show_card(update, context, idea, NO_FILTER)


async def _publish(update: Update, context: HotlineContext, idea_id: int,
                   _args: list[str]) -> None:
    change = await context.services.ideas.publish(update.effective_user.id, idea_id)
    await answer_callback(update)
    await audit(update, context, "ideas.publish", target=change.idea.reference, detail={
        "status": change.idea.status, "notify_author": change.notify_author})
    await _after_change(update, context, change, "ideas.review.published")


async def _ask_note(update: Update, context: HotlineContext, idea_id: int,
                    _args: list[str]) -> None:
    idea = await context.services.ideas.get(idea_id)
    if idea is None:
        await stale(update, context, "no such idea")
        return
    await answer_callback(update)
    await context.services.dialogs.start(update.effective_user.id, NOTE_FLOW, "note",
                                         idea_id=idea_id)
    await reply(update, context, context.html("ideas.review.ask_note", reference=idea.reference))


async def _ask_duplicate(update: Update, context: HotlineContext, idea_id: int,
                         _args: list[str]) -> None:
    idea = await context.services.ideas.get(idea_id)
    if idea is None:
        await stale(update, context, "no such idea")
        return
    if idea.withdrawn_at is not None:
        raise IdeaRefused("ideas.refused.withdrawn", reference=idea.reference)
    await answer_callback(update)
    await context.services.dialogs.start(update.effective_user.id, DUPLICATE_FLOW, "original",
                                         idea_id=idea_id)
    await reply(update, context,
                context.html("ideas.review.ask_duplicate", reference=idea.reference))


async def _unhide(update: Update, context: HotlineContext, idea_id: int,
                  _args: list[str]) -> None:
    idea = await context.services.ideas.unhide(update.effective_user.id, idea_id)
    await audit(update, context, "ideas.show", target=idea.reference)
    await answer_callback(update, context.text("ideas.review.unhidden"))
    await show_card(update, context, idea, NO_FILTER)


async def _next(update: Update, context: HotlineContext, idea_id: int, args: list[str]) -> None:
    criteria = await _filter_from_code(context, args[0])
    if criteria is None:
        await stale(update, context, "unknown filter")
        return
    await answer_callback(update)
    idea = await context.services.ideas.next_in_queue(after_id=idea_id, **criteria)
    if idea is None:
        await reply(update, context, context.html("ideas.review.end"))
        return
    await show_card(update, context, idea, args[0])


# (action, number of ":"-separated parts) -> handler
_ACTIONS = {
    ("to", 6): _move,
    ("apply", 4): _apply,
    ("pubnow", 4): _toggle_publish,
    ("cancel", 4): _cancel,
    ("publish", 4): _publish,
    ("note", 4): _ask_note,
    ("dup", 4): _ask_duplicate,
    ("unhide", 4): _unhide,
    ("next", 5): _next,
}


# ---------------------------------------------------------------------- typed answers


async def answer_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Keeps the typed answer with the pending status change and shows it again."""
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(update.effective_user.id)
        return
    try:
        answer = clean_text("answer", update.effective_message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    await context.services.dialogs.advance(update.effective_user.id, state, "answer",
                                           answer=answer)
    idea = await context.services.ideas.get(int(state.data["idea_id"]))
    if idea is None:
        await context.services.dialogs.finish(update.effective_user.id)
        return
    await reply(update, context, await _prompt(context, idea, state),
                _prompt_keyboard(context, idea.id, publish=state.data["publish"]))


async def note_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Saves a private staff note on the idea."""
    user_id = update.effective_user.id
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(user_id)
        return
    try:
        idea = await context.services.ideas.add_note(user_id, int(state.data["idea_id"]),
                                                     update.effective_message.text)
    except IdeaInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        return
    except IdeaRefused as refusal:
        await context.services.dialogs.finish(user_id)
        await refuse(update, context, refusal)
        return
    await context.services.dialogs.finish(user_id)
    await audit(update, context, "ideas.note", target=idea.reference)
    await reply(update, context, context.html("ideas.review.noted", reference=idea.reference))


async def duplicate_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Marks the idea a duplicate of the typed reference and tells its author which."""
    user_id = update.effective_user.id
    if not STAFF_ROLES & {Role(r) for r in context.roles}:
        await context.services.dialogs.finish(user_id)
        return
    reference = normalise_reference(update.effective_message.text)
    try:
        idea, original = await context.services.ideas.mark_duplicate(
            user_id, int(state.data["idea_id"]), reference)
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)
        if refusal.reason != "ideas.refused.no_such_reference":
            await context.services.dialogs.finish(user_id)
        return
    await context.services.dialogs.finish(user_id)
    await audit(update, context, "ideas.duplicate", target=idea.reference,
                detail={"original": original.reference})
    await reply(update, context, context.html("ideas.review.duplicate_marked",
                                              reference=idea.reference,
                                              original=original.reference))
    await notify_author(context, idea, "ideas.notice.duplicate", reference=idea.reference,
                        original=original.reference, title=original.title)


def register(application: Application) -> None:
    dialogs.FLOWS[ANSWER_FLOW] = answer_step
    dialogs.FLOWS[NOTE_FLOW] = note_step
    dialogs.FLOWS[DUPLICATE_FLOW] = duplicate_step
    application.add_handler(CommandHandler("review", review, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(review_button, pattern=r"^ideas:rv:"))
