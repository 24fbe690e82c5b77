"""Telegram HTML from a message's own formatting entities, never from what was typed as tags.

A staff member formats with their app (select, then Bold, Italic, Link, or Telegram Desktop's
**bold** shortcuts); Telegram sends the text with entities, and PTB writes the entities as HTML
while escaping the text, so a `<b>` typed as characters stays those characters. Only the
formatting Telegram accepts in a bot's message is kept: a custom emoji (bots may not send
them), a mention of a user, or a link to anything but the web or Telegram falls back to its
plain text. Plain web addresses stay text: Telegram makes them links again on delivery.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity

_KEPT = frozenset({
    MessageEntity.BOLD, MessageEntity.ITALIC, MessageEntity.UNDERLINE,
    MessageEntity.STRIKETHROUGH, MessageEntity.SPOILER, MessageEntity.CODE, MessageEntity.PRE,
    MessageEntity.TEXT_LINK, MessageEntity.BLOCKQUOTE, MessageEntity.EXPANDABLE_BLOCKQUOTE,
})
_SAFE_LINK = re.compile(r"^(https?://|tg://)[^\s\"'<>]+$", re.IGNORECASE)


def _kept(entity: MessageEntity) -> bool:
    if entity.type not in _KEPT:
        return False
    return entity.type != MessageEntity.TEXT_LINK or bool(_SAFE_LINK.match(entity.url or ""))


def formatted_html(message: Message) -> str:
    """The message's text as Telegram HTML made from its kept entities; "" without text."""
    if message.text is None:
        return ""
    # A code block's language is dropped: PTB writes it into an attribute unescaped.
    kept = tuple(MessageEntity(e.type, e.offset, e.length, url=e.url)
                 for e in message.entities if _kept(e))
    # A copy carrying only the kept entities: PTB's public text_html then writes just those.
    plain = Message(message_id=message.message_id, date=message.date, chat=message.chat,
                    text=message.text, entities=kept)
    return plain.text_html
