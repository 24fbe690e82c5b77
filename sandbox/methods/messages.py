"""sendMessage, the editMessage* family and deleteMessage(s)."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.formatting import format_text
from sandbox.methods.common import (
    bot_chat,
    caption_content,
    check_inline_keyboard,
    prepare,
    send,
    take_flood,
    user_resolver,
)
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.records import ChatRecord, StoredMessage
from sandbox.state import Sandbox

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_SERVICE_KEYS = ("forum_topic_created", "forum_topic_edited", "forum_topic_closed",
                 "forum_topic_reopened", "pinned_message", "new_chat_members", "left_chat_member")


@method("sendMessage")
def send_message(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    out = prepare(sandbox, p)
    text, entities = format_text(p.get("text"), p.get("parse_mode"), p.get("entities"),
                                 resolve_user=user_resolver(sandbox))
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    preview = p.get("link_preview_options")
    if isinstance(preview, dict) and preview:
        content["link_preview_options"] = preview
    take_flood(sandbox, out)
    return send(sandbox, out, content).data


def _editable(sandbox: Sandbox, p: Params) -> tuple[ChatRecord, StoredMessage]:
    if p.get("inline_message_id"):
        raise bad_request("message to edit not found")  # no inline messages in the sandbox
    chat_id, message_id = p.get("chat_id"), p.get("message_id")
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    chat = bot_chat(sandbox, chat_id)
    stored = chat.messages.get(message_id)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.outgoing or any(key in stored.data for key in _SERVICE_KEYS):
        raise bad_request("message can't be edited")
    return chat, stored


def _inline_only(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("can't parse inline keyboard markup JSON object")
    return check_inline_keyboard(markup)


def _commit_edit(
    sandbox: Sandbox, chat: ChatRecord, stored: StoredMessage, changes: dict[str, Any],
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    """Apply changes (None removes a key), refuse a no-op as Telegram does, publish the edit."""
    new = {key: value for key, value in stored.data.items() if key != "edit_date"}
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    if markup is None:
        new.pop("reply_markup", None)
    else:
        new["reply_markup"] = markup
    old = {key: value for key, value in stored.data.items() if key != "edit_date"}
    if new == old:
        raise bad_request(_NOT_MODIFIED)
    new["edit_date"] = sandbox.world.now()
    sandbox.world.replace(chat, stored, new)
    sandbox.events.publish("edit", chat.id, thread_id=stored.thread_id, message=new, outgoing=True)
    return new


@method("editMessageText")
def edit_message_text(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat, stored = _editable(sandbox, p)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    text = p.get("text")
    if not text:
        raise bad_request("message text is empty")
    text, entities = format_text(text, p.get("parse_mode"), p.get("entities"),
                                 resolve_user=user_resolver(sandbox))
    changes = {"text": text, "entities": entities or None}
    preview = p.get("link_preview_options")
    if isinstance(preview, dict):
        changes["link_preview_options"] = preview or None
    return _commit_edit(sandbox, chat, stored, changes, _inline_only(p.get("reply_markup")))


@method("editMessageCaption")
def edit_message_caption(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat, stored = _editable(sandbox, p)
    if "text" in stored.data:
        raise bad_request("there is no caption in the message to edit")
    content = caption_content(sandbox, p)
    changes = {"caption": content.get("caption"),
               "caption_entities": content.get("caption_entities")}
    return _commit_edit(sandbox, chat, stored, changes, _inline_only(p.get("reply_markup")))


@method("editMessageReplyMarkup")
def edit_message_reply_markup(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat, stored = _editable(sandbox, p)
    return _commit_edit(sandbox, chat, stored, {}, _inline_only(p.get("reply_markup")))


def _delete(sandbox: Sandbox, chat: ChatRecord, message_id: int) -> bool:
    stored = chat.messages.get(message_id)
    if stored is None:
        return False
    if "forum_topic_created" in stored.data:
        raise bad_request("message can't be deleted")
    sandbox.world.delete(chat, message_id)
    sandbox.events.publish("delete", chat.id, thread_id=stored.thread_id, message_id=message_id)
    return True


@method("deleteMessage")
def delete_message(sandbox: Sandbox, p: Params) -> bool:
    chat = bot_chat(sandbox, p.get("chat_id"), writing=False)
    if not _delete(sandbox, chat, p.get("message_id")):
        raise bad_request("message to delete not found")
    return True


@method("deleteMessages")
def delete_messages(sandbox: Sandbox, p: Params) -> bool:
    chat = bot_chat(sandbox, p.get("chat_id"), writing=False)
    ids = p.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 message identifiers")
    for message_id in ids:
        if isinstance(message_id, int):
            _delete(sandbox, chat, message_id)
    return True
