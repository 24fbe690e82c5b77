"""What the idea handlers share: the idea card, telling the author, announcing to staff."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from services.actors import Actor
from services.ideas import IdeaRefused
from services.ideas.author_notice import author_locale
from services.refusals import Refused
from storage.models import Idea

log = logging.getLogger(__name__)


def callback_parts(update: Update, count: int) -> list[str] | None:
    """The fields after "ideas:<area>:<action>:", or None when they are not `count` of them."""
    parts = (update.callback_query.data or "").split(":")[3:]
    return parts if len(parts) == count and all(parts) else None


def callback_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 9 else None


def acting(update: Update, context: HotlineContext) -> Actor:
    """The person pressing or typing, as the idea service's front doors take them."""
    return Actor.in_bot(update.effective_user.id, context.roles)


async def refuse(update: Update, context: HotlineContext, refusal: Refused) -> None:
    """Answers a refused action (logged): as an alert under a button, else as a message."""
    log.warning("refused idea action to user %s: %s %s in update %s",
                update.effective_user.id if update.effective_user else None, refusal.key,
                refusal.values, update.update_id)
    if update.callback_query is not None:
        await answer_callback(update, context.services.texts.refusal(context.locale,
                                                                     refusal.refusal),
                              alert=True)
    else:
        await reply(update, context, context.html(refusal.key, **refusal.values))


async def stale(update: Update, context: HotlineContext, why: str) -> None:
    """Refuses a button that does not fit the current state, and logs it."""
    query = update.callback_query
    log.warning("refused idea button %r from user %s (%s) in update %s",
                (query.data or "")[:64], query.from_user.id, why, update.update_id)
    await answer_callback(update, context.text("callback.stale"), alert=True)


async def idea_of_button(update: Update, context: HotlineContext, idea_id: int, *,
                         not_withdrawn: bool = False) -> Idea | None:
    """The idea a staff button names, or None once the press is answered as stale. With
    `not_withdrawn`, a withdrawn idea is refused (IdeaRefused, for the caller to answer)."""
    idea = await context.services.ideas.get(idea_id)
    if idea is None:
        await stale(update, context, "no such idea")
        return None
    if not_withdrawn and idea.withdrawn_at is not None:
        raise IdeaRefused("ideas.refused.withdrawn", reference=idea.reference)
    return idea


async def place_labels(context: HotlineContext, locale: str, street: str,
                       community: str) -> tuple[str, str]:
    """The street and community in the reader's language (stored in Chinese)."""
    if locale != "en":
        return street, community
    for known in await context.services.places.streets():
        if known.name == street:
            names = dict(known.communities)
            return known.name_en, names.get(community, community)
    return street, community


async def card(context: HotlineContext, idea: Idea | dict[str, Any], *, locale: str,
               audience: str, author: str | None = None) -> str:
    """The idea as a message. audience: "author", "staff" or "public" (what each may see)."""
    fields = idea if isinstance(idea, dict) else {
        "reference": idea.reference, "title": idea.title, "problem": idea.problem,
        "solution": idea.solution, "street": idea.street, "community": idea.community,
        "photo": idea.photo_file_id, "contact": idea.contact, "show_name": idea.show_name,
    }
    status_name = answer = None
    if isinstance(idea, Idea):
        names = await context.services.ideas.status_names(locale)
        shown = idea.status if audience == "staff" else idea.published_status
        status_name = names.get(shown, shown)
        answer = idea.answer if audience == "staff" else idea.published_answer
    street, community = await place_labels(context, locale, fields["street"],
                                           fields["community"])
    return context.services.texts.render(
        locale, "ideas_card", idea=fields, status=status_name, answer=answer,
        street=street, community=community, audience=audience, author=author,
        supports=idea.support_count if isinstance(idea, Idea) else None,
    )


async def send_photo_of(context: HotlineContext, chat_id: int, idea: Idea,
                        thread_id: int | None = None) -> None:
    """Sends the idea's photo (captioned with its reference) ahead of its card."""
    if idea.photo_file_id:
        await context.bot.send_photo(chat_id, idea.photo_file_id, caption=idea.reference,
                                     message_thread_id=thread_id)


async def author_language(context: HotlineContext, idea: Idea) -> str:
    """The name of the language the author reads (their notices go out in it)."""
    locale = await author_locale(context.services.people, context.services.texts, idea)
    return context.text(f"language.name.{locale}")


async def _staff_thread(context: HotlineContext, chat_id: int) -> int | None:
    ideas = context.services.ideas
    thread = await ideas.staff_topic(chat_id)
    if thread is not None:
        return thread
    name = context.services.texts.text(context.services.default_locale, "ideas.staff.topic")
    try:
        topic = await context.bot.create_forum_topic(chat_id, name)
    except TelegramError as error:
        # Not a forum (or no right to make topics): announce in the group itself.
        log.warning("no ideas topic in staff chat %s: %s", chat_id, error)
        return None
    await ideas.remember_staff_topic(chat_id, topic.message_thread_id)
    return topic.message_thread_id


async def tell_staff(context: HotlineContext, key: str, idea: Idea, *,
                     with_card: bool = False) -> None:
    """Posts to the ideas topic of the staff group (HOTLINE_STAFF_CHAT_ID), when one is set."""
    chat_id = context.services.ideas.staff_chat_id
    if chat_id is None:
        return
    locale = context.services.default_locale
    texts = context.services.texts
    text = texts.html(locale, key, reference=idea.reference, title=idea.title)
    if with_card:
        text += "\n\n" + await card(context, idea, locale=locale, audience="staff")
    try:
        thread = await _staff_thread(context, chat_id)
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                       message_thread_id=thread)
    except TelegramError as error:
        log.warning("could not tell staff chat %s about %s: %s", chat_id, idea.reference, error)


async def edit_or_reply(update: Update, context: HotlineContext, html: str,
                        keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replaces the pressed message's text (a prompt that is done), or replies."""
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
            return
        except TelegramError as error:
            log.info("could not edit message %s: %s", query.message.message_id, error)
    await reply(update, context, html, keyboard)
