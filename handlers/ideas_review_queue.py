"""/review's queue: which idea comes next (by reference, status or street), and the staff
card that shows it with its history, notes and buttons."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.ideas_cards import author_language, card, send_photo_of
from handlers.replies import reply
from services.ideas.rules import normalise_reference
from storage.models import Idea, Role
from storage.timestamps import as_utc

log = logging.getLogger(__name__)

NO_FILTER = "-"
STAFF = (Role.STAFF, Role.ADMIN)


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


async def filter_from_code(context: HotlineContext, code: str) -> dict | None:
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
                "at": as_utc(e.created_at).astimezone(zone).strftime("%m-%d %H:%M")}
               for e in await ideas.history(idea.id)]
    author = await context.services.people.get(idea.author_id)
    # An author who used /forget is shown as no one (not as their bare Telegram id).
    named = author is not None and author.forgotten_at is None
    body = await card(context, idea, locale=context.locale, audience="staff",
                      author=author.display_name if named else None)
    # The card is our own rendered (already escaped) HTML: embed it as is.
    text = context.render("ideas_review", card=Markup(body), idea=idea, history=history,  # noqa: S704
                          published=names.get(idea.published_status, idea.published_status),
                          pending=_pending(idea), language=await author_language(context, idea))
    await send_photo_of(context, update.effective_chat.id, idea)
    sent = await reply(update, context, text, await _review_keyboard(context, idea, code))
    if sent is None:
        return
    retired = await ideas.card_shown(idea.id, update.effective_user.id, sent.message_id)
    if retired is not None:
        # One live card per idea and reviewer: the earlier one's buttons go.
        try:
            await context.bot.edit_message_reply_markup(update.effective_chat.id, retired,
                                                        reply_markup=None)
        except TelegramError as error:
            log.info("could not retire review card %s: %s", retired, error)


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

