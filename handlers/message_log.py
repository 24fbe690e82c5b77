"""Turns Bot API messages (as JSON, either direction) into conversation-log entries.

Working on the JSON rather than PTB objects lets the transport log what the bot sent with
the same code that logs what people send.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from services.conversation_log import LogEntry

_MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "video_note", "sticker",
                "animation", "contact", "location", "poll")


def _media(message: dict[str, Any]) -> tuple[str, str | None]:
    for kind in _MEDIA_KINDS:
        media = message.get(kind)
        if media:
            if kind == "photo":  # several sizes; the last is the largest
                return kind, media[-1].get("file_id")
            return kind, media.get("file_id") if isinstance(media, dict) else None
    return "other", None


def entry_for_message(message: dict[str, Any], direction: str, owner_id: int | None,
                      version: int = 0) -> LogEntry:
    text = message.get("text")
    if text is not None:
        kind, media_ref = ("command" if text.startswith("/") else "text"), None
    else:
        kind, media_ref = _media(message)
        text = message.get("caption")
    reply_to = message.get("reply_to_message") or {}
    return LogEntry(
        chat_id=message["chat"]["id"],
        direction=direction,
        kind=kind,
        telegram_id=owner_id,
        message_id=message.get("message_id"),
        thread_id=message.get("message_thread_id") if message.get("is_topic_message") else None,
        reply_to_message_id=reply_to.get("message_id"),
        version=version,
        text=text,
        media_ref=media_ref,
    )


def _entry_for_incoming(message: Message, owner_id: int | None, version: int = 0) -> LogEntry:
    """The same entry as entry_for_message, read off the PTB object: every update passes
    here, and turning it back into JSON first would cost more than the rest of logging."""
    text = message.text
    kind, media_ref = "other", None
    if text is not None:
        kind = "command" if text.startswith("/") else "text"
    else:
        for name in _MEDIA_KINDS:
            media = getattr(message, name, None)
            if media:
                kind = name
                media_ref = media[-1].file_id if name == "photo" else getattr(
                    media, "file_id", None)
                break
        text = message.caption
    reply_to = message.reply_to_message
    return LogEntry(
        chat_id=message.chat_id,
        direction="in",
        kind=kind,
        telegram_id=owner_id,
        message_id=message.message_id,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=reply_to.message_id if reply_to is not None else None,
        version=version,
        text=text,
        media_ref=media_ref,
    )


def entry_for_update(update: Update) -> LogEntry | None:
    """What a person sent: a message, an edit of one, or a button press."""
    user = update.effective_user
    owner = user.id if user is not None else None
    if update.message is not None:
        return _entry_for_incoming(update.message, owner)
    if update.edited_message is not None:
        edited = update.edited_message
        # The edit date makes each later version distinct and ordered.
        version = int(edited.edit_date.timestamp()) if edited.edit_date is not None else 1
        return _entry_for_incoming(edited, owner, version=version)
    query = update.callback_query
    if query is not None and query.message is not None:
        return LogEntry(
            chat_id=query.message.chat.id,
            direction="in",
            kind="callback",
            telegram_id=owner,
            message_id=query.message.message_id,
            text=query.data,
        )
    return None


def entries_for_bot_result(method: str, params: dict[str, Any], result: Any) -> list[LogEntry]:
    """What the bot sent, from a successful Bot API call and its result."""
    if isinstance(result, list):  # sendMediaGroup
        return [e for item in result for e in entries_for_bot_result(method, params, item)]
    if not isinstance(result, dict) or "message_id" not in result:
        return []
    if "chat" not in result:  # copyMessage answers with a bare MessageId
        chat_id = int(params["chat_id"])
        return [LogEntry(
            chat_id=chat_id,
            direction="out",
            kind="copy",
            telegram_id=chat_id if chat_id > 0 else None,
            message_id=result["message_id"],
            thread_id=params.get("message_thread_id"),
            media_ref=f"copy:{params.get('from_chat_id')}:{params.get('message_id')}",
        )]
    chat_id = result["chat"]["id"]
    owner = chat_id if result["chat"].get("type") == "private" else None
    version = result.get("edit_date", 0) if method.startswith("edit") else 0
    return [entry_for_message(result, "out", owner, version=version)]
