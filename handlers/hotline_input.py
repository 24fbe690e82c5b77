"""Small helpers the hotline handlers share: what a message carries, and callback data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Message, Update
from telegram.error import TelegramError

from handlers.context import HotlineContext
from handlers.replies import answer_callback

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
