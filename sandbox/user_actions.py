"""What users do in the sandbox (write, edit, press buttons, block the bot, join groups), turned
into the messages and updates Telegram would produce."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sandbox.entities import merge_auto, sort_entities
from sandbox.errors import ControlError
from sandbox.formatting import TEXT_LIMIT, user_text_entities
from sandbox.html_entities import parse_html
from sandbox.members import STATUSES, chat_member
from sandbox.records import CallbackRecord, ChatRecord, StoredMessage, UserRecord
from sandbox.shortcut_entities import parse_shortcuts
from sandbox.state import Sandbox

_WRITERS = frozenset({"creator", "administrator", "member"})
_ADMINS = frozenset({"creator", "administrator"})


@dataclass(slots=True)
class Attachment:
    kind: str  # photo, document or voice
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    duration: int = 1


def _chat_for(sandbox: Sandbox, record: UserRecord, chat_id: int | None) -> ChatRecord:
    world = sandbox.world
    if chat_id is None or chat_id == record.id:
        if record.blocked:
            raise ControlError(f"user {record.id} blocked the bot; unblock first")
        return world.ensure_private_chat(record)
    chat = world.chats.get(chat_id)
    if chat is None:
        raise ControlError(f"no chat {chat_id}", 404)
    if chat.is_private:
        raise ControlError("a user can only write in their own private chat with the bot")
    if chat.members.get(record.id) not in _WRITERS:
        raise ControlError(f"user {record.id} is not a member of chat {chat_id}")
    return chat


def _thread_for(chat: ChatRecord, user_id: int, thread_id: int | None) -> int | None:
    if not thread_id:
        return None
    topic = chat.topics.get(thread_id)
    if topic is None:
        raise ControlError(f"chat {chat.id} has no topic {thread_id}")
    if topic.is_closed and chat.members.get(user_id) not in _ADMINS:
        raise ControlError("TOPIC_CLOSED: only administrators can write in a closed topic")
    return thread_id


def _caption(caption: str | None) -> dict[str, Any]:
    if not caption:
        return {}
    if len(caption) > 1024:
        raise ControlError("caption is longer than 1024 characters")
    content: dict[str, Any] = {"caption": caption}
    entities = user_text_entities(caption)
    if entities:
        content["caption_entities"] = entities
    return content


def _attachment_content(sandbox: Sandbox, attachment: Attachment) -> dict[str, Any]:
    files = sandbox.files
    if attachment.kind == "photo":
        return {"photo": files.photo_sizes(files.add_photo(attachment.data))}
    if attachment.kind == "voice":
        stored = files.add_voice(attachment.data, attachment.duration,
                                 attachment.mime_type or "audio/ogg")
        return {"voice": {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "duration": attachment.duration, "mime_type": stored.mime_type,
                          "file_size": stored.file_size}}
    stored = files.add_document(attachment.data, attachment.file_name or "file",
                                attachment.mime_type)
    document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": stored.file_name, "mime_type": stored.mime_type,
                "file_size": stored.file_size}
    return {"document": document}


def send_message(
    sandbox: Sandbox,
    user_id: int,
    *,
    chat_id: int | None = None,
    text: str | None = None,
    formatted_html: str | None = None,
    shortcut_text: str | None = None,
    reply_to_message_id: int | None = None,
    thread_id: int | None = None,
    attachment: Attachment | None = None,
    caption: str | None = None,
    media_group_id: str | None = None,
    location: tuple[float, float] | None = None,
) -> StoredMessage:
    world = sandbox.world
    record = world.user(user_id)
    chat = _chat_for(sandbox, record, chat_id)
    thread = _thread_for(chat, user_id, thread_id)
    reply_to = None
    if reply_to_message_id is not None:
        reply_to = chat.messages.get(reply_to_message_id)
        if reply_to is None:
            raise ControlError(f"chat {chat.id} has no message {reply_to_message_id}")
        if thread is None:
            thread = reply_to.thread_id
    if attachment is not None:
        content = _attachment_content(sandbox, attachment)
        content.update(_caption(caption))
        if media_group_id:
            content["media_group_id"] = str(media_group_id)
    elif text or formatted_html or shortcut_text:
        entities: list[dict[str, Any]]
        if shortcut_text:
            if not isinstance(shortcut_text, str):
                raise ControlError("shortcut_text must be a string")
            # Typed in the chat page's box: **bold** and the like, as Telegram Desktop reads it.
            text, entities = parse_shortcuts(shortcut_text)
        elif formatted_html:
            # What a client's formatting toolbar produces: the text with bold, italic, links...
            text, entities = parse_html(formatted_html)
            entities = sort_entities(merge_auto(text, entities))
        else:
            entities = user_text_entities(text or "")
        if not text or len(text) > TEXT_LIMIT:
            raise ControlError(f"text must be 1-{TEXT_LIMIT} characters")
        content = {"text": text}
        if entities:
            content["entities"] = entities
    elif location is not None:
        latitude, longitude = location
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ControlError("a location needs latitude -90..90 and longitude -180..180")
        content = {"location": {"latitude": latitude, "longitude": longitude}}
    else:
        raise ControlError("a message needs text, a photo, a document, a voice or a location")
    stored = world.add_message(chat, sender=record.user, outgoing=False, content=content,
                               thread_id=thread, reply_to=reply_to)
    sandbox.updates.push("message", stored.data)
    sandbox.events.publish("message", chat.id, thread_id=thread, message=stored.data)
    return stored


def edit_message(sandbox: Sandbox, user_id: int, chat_id: int, message_id: int,
                 text: str) -> StoredMessage:
    world = sandbox.world
    record = world.user(user_id)
    chat = _chat_for(sandbox, record, chat_id)
    stored = chat.messages.get(message_id)
    if stored is None or stored.outgoing or stored.data["from"]["id"] != user_id:
        raise ControlError(f"user {user_id} has no message {message_id} in chat {chat_id}")
    if "text" not in stored.data:
        raise ControlError("only text messages can be edited here")
    if not text or len(text) > TEXT_LIMIT:
        raise ControlError("text must be 1-4096 characters")
    if text == stored.data["text"]:
        raise ControlError("message is not modified")
    data = {key: value for key, value in stored.data.items() if key != "entities"}
    data["text"] = text
    entities = user_text_entities(text)
    if entities:
        data["entities"] = entities
    return _publish_edit(sandbox, chat, stored, data)


_CAPTIONED = ("photo", "document", "voice", "audio", "video", "animation")


def edit_caption(sandbox: Sandbox, user_id: int, chat_id: int, message_id: int,
                 caption: str) -> StoredMessage:
    """The user changes (or, with "", removes) the caption of their photo, document..."""
    world = sandbox.world
    record = world.user(user_id)
    chat = _chat_for(sandbox, record, chat_id)
    stored = chat.messages.get(message_id)
    if stored is None or stored.outgoing or stored.data["from"]["id"] != user_id:
        raise ControlError(f"user {user_id} has no message {message_id} in chat {chat_id}")
    if not any(kind in stored.data for kind in _CAPTIONED):
        raise ControlError("only media messages have a caption to edit")
    if caption == stored.data.get("caption", ""):
        raise ControlError("message is not modified")
    data = {key: value for key, value in stored.data.items()
            if key not in ("caption", "caption_entities")}
    data.update(_caption(caption))
    return _publish_edit(sandbox, chat, stored, data)


def _publish_edit(sandbox: Sandbox, chat: ChatRecord, stored: StoredMessage,
                  data: dict[str, Any]) -> StoredMessage:
    """As Telegram: the message changes in place and the bot gets `edited_message`."""
    data["edit_date"] = sandbox.world.now()
    sandbox.world.replace(chat, stored, data)
    sandbox.updates.push("edited_message", data)
    sandbox.events.publish("edit", chat.id, thread_id=stored.thread_id, message=data)
    return stored


def _callback_data(message: dict[str, Any]) -> set[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {button["callback_data"] for row in rows for button in row if "callback_data" in button}


def press_button(sandbox: Sandbox, user_id: int, chat_id: int, message_id: int, data: str,
                 *, force: bool = False) -> CallbackRecord:
    world = sandbox.world
    record = world.user(user_id)
    chat = _chat_for(sandbox, record, chat_id)
    stored = chat.messages.get(message_id)
    if stored is None:
        raise ControlError(f"chat {chat_id} has no message {message_id}")
    if not force:
        offered = _callback_data(stored.data)
        if data not in offered:
            raise ControlError(
                f"message {message_id} has no button with callback_data {data!r} "
                f"(it offers {sorted(offered)}); pass force=true to send forged data"
            )
    query_id = str(sandbox.rng.getrandbits(63))
    callback = CallbackRecord(query_id, user_id, chat.id, message_id, time.monotonic())
    world.add_callback(callback)
    sandbox.updates.push("callback_query", {
        "id": query_id,
        "from": record.user,
        "message": stored.data,
        "chat_instance": chat.chat_instance,
        "data": data,
    })
    return callback


def set_blocked(sandbox: Sandbox, user_id: int, blocked: bool) -> bool:
    """Block or unblock the bot; False when nothing changed."""
    world = sandbox.world
    record = world.user(user_id)
    if record.blocked == blocked:
        return False
    record.blocked = blocked
    chat = world.ensure_private_chat(record)
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    sandbox.updates.push("my_chat_member", {
        "chat": chat.chat,
        "from": record.user,
        "date": world.now(),
        "old_chat_member": chat_member(old, sandbox.bot_user),
        "new_chat_member": chat_member(new, sandbox.bot_user),
    })
    sandbox.events.publish("member", chat.id, user_id=user_id, status=new, bot=True)
    return True


def create_group(sandbox: Sandbox, title: str, *, is_forum: bool = True,
                 member_ids: list[int] | tuple[int, ...] = ()) -> ChatRecord:
    for user_id in member_ids:
        sandbox.world.user(user_id)
    chat = sandbox.world.create_group(title, is_forum=is_forum)
    for user_id in member_ids:
        chat.members[user_id] = "member"
    return chat


def add_member(sandbox: Sandbox, chat_id: int, user_id: int, status: str = "member") -> None:
    world = sandbox.world
    record = world.user(user_id)
    chat = world.chats.get(chat_id)
    if chat is None or chat.is_private:
        raise ControlError(f"no group {chat_id}", 404)
    if status not in STATUSES:
        raise ControlError(f"status must be one of {STATUSES}")
    old = chat.members.get(user_id, "left")
    if old == status:
        return
    chat.members[user_id] = status
    sandbox.updates.push("chat_member", {
        "chat": chat.chat,
        "from": record.user,
        "date": world.now(),
        "old_chat_member": chat_member(old, record.user),
        "new_chat_member": chat_member(status, record.user),
    })
    sandbox.events.publish("member", chat.id, user_id=user_id, status=status, bot=False)
    if old in ("left", "kicked") and status in _WRITERS:
        stored = world.add_message(chat, sender=record.user, outgoing=False,
                                   content={"new_chat_members": [record.user]})
        sandbox.updates.push("message", stored.data)
        sandbox.events.publish("message", chat.id, message=stored.data)
