"""Small helpers the hotline handlers share: what a message carries, and callback data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Message, Update
from telegram.error import TelegramError

from handlers.context import HotlineContext
from handlers.replies import answer_callback
from services.actors import Actor
from services.audit import BOT
from services.hotline.case_actions import NO_CASE, NOT_ALLOWED
from services.refusals import Refused

log = logging.getLogger(__name__)

# Kinds a question or a relayed message may be; stickers, polls, locations... are refused
# with a clear reply rather than silently dropped.
SUPPORTED_KINDS = ("text", "photo", "document", "voice", "audio", "video")
MAX_CALLBACK_INT = 2**53


@dataclass(frozen=True, slots=True)
class Carried:
    kind: str
    text: str | None
    media_ref: str | None


def carried(message: Message) -> Carried | None:
    """What a message holds, or None when it is of a kind the hotline does not relay."""
    if message.text is not None:
        return Carried("text", message.text, None)
    if message.photo:
        return Carried("photo", message.caption, message.photo[-1].file_id)
    for kind in SUPPORTED_KINDS[2:]:
        media = getattr(message, kind)
        if media is not None:
            return Carried(kind, message.caption, media.file_id)
    return None


def callback_ints(data: str | None, prefix: str, count: int) -> list[int] | None:
    """The numbers after `prefix` in "hotline:<action>:<n>[:<m>]", or None when malformed."""
    if not data or not data.startswith(prefix):
        return None
    parts = data[len(prefix):].split(":")
    if len(parts) != count or not all(p.isdigit() and int(p) < MAX_CALLBACK_INT
                                       for p in parts):
        return None
    return [int(p) for p in parts]


async def refuse_button(update: Update, context: HotlineContext, why: str,
                        key: str = "hotline.button.refused") -> None:
    """Answers a button that must not act (forged, stale, not yours), and logs it."""
    query = update.callback_query
    log.warning("refused hotline button %r from user %s: %s", (query.data or "")[:64],
                query.from_user.id, why)
    await answer_callback(update, context.text(key), alert=True)


async def stale_button(update: Update, context: HotlineContext, key: str,
                       **values: object) -> None:
    """A rightful press of a button whose step is over: says what happened and what to do
    next, and takes the buttons off that message so it is not pressed again."""
    await answer_callback(update, context.text(key, **values), alert=True)
    await drop_pressed_buttons(update)


async def drop_pressed_buttons(update: Update) -> None:
    """Takes the buttons off the pressed message (its step is done)."""
    query = update.callback_query
    if query.message is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:  # already without buttons, or too old to edit
        log.info("buttons of %r not removed: %s", (query.data or "")[:64], error)


def actor_of(update: Update, context: HotlineContext) -> Actor:
    """The presser or sender as the case doors see them (services/hotline/case_actions)."""
    staff_chat = context.services.hotline.cases.staff_chat_id
    return Actor(update.effective_user.id, context.roles, BOT,
                 in_staff_chat=update.effective_chat is not None
                 and update.effective_chat.id == staff_chat)


# Refusals that answer a press without taking the buttons off: the message is still right
# (someone else's offer stays theirs to claim; a stranger's press changes nothing at all).
KEEP_BUTTONS = frozenset({NOT_ALLOWED, "hotline.claim.taken", "hotline.claim.refused",
                          "hotline.claim.start_private_chat", "hotline.claim.try_again"})


async def refused_button(update: Update, context: HotlineContext, refused: Refused) -> None:
    """A door's refusal of a press, in the presser's language; a late press of a rightful
    participant also takes that message's buttons off (its step is over)."""
    if refused.key in (NOT_ALLOWED, NO_CASE):  # a button naming no case was forged
        await refuse_button(update, context, f"refused by the case door: {refused.key}")
    elif refused.key in KEEP_BUTTONS:
        await answer_callback(update, context.services.texts.refusal(
            context.locale, refused.refusal), alert=True)
    else:
        await stale_button(update, context, refused.key, **refused.values)
