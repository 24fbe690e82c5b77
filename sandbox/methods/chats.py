"""getChat, getChatMember, forum topics, pins and chat actions."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.members import chat_member
from sandbox.methods.common import bot_chat, service_message, topic_thread
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.records import ChatRecord, TopicRecord
from sandbox.state import Sandbox
from sandbox.world import DEFAULT_TOPIC_COLOR, strip_reply

TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_NO_GIFTS = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
             "premium_subscription": False, "gifts_from_channels": False}


@method("getChat")
def get_chat(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat = bot_chat(sandbox, p.get("chat_id"), writing=False)
    info: dict[str, Any] = dict(chat.chat)
    info["accent_color_id"] = abs(chat.id) % 7
    info["max_reaction_count"] = 11
    info["accepted_gift_types"] = dict(_NO_GIFTS)
    if chat.pinned and chat.pinned[-1] in chat.messages:
        info["pinned_message"] = strip_reply(chat.messages[chat.pinned[-1]].data)
    return info


@method("getChatMember")
def get_chat_member(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat = bot_chat(sandbox, p.get("chat_id"), writing=False)
    user_id = p.get("user_id")
    bot = sandbox.bot_user
    if user_id == bot["id"]:
        return chat_member(chat.members.get(user_id, "member"), bot)
    record = sandbox.world.users.get(user_id)
    if record is None:
        raise bad_request("user not found")
    if chat.is_private:
        return chat_member("member" if user_id == chat.id else "left", record.user)
    return chat_member(chat.members.get(user_id, "left"), record.user)


def _forum(sandbox: Sandbox, p: Params) -> ChatRecord:
    chat = bot_chat(sandbox, p.get("chat_id"))
    if not chat.chat.get("is_forum"):
        raise bad_request("the chat is not a forum")
    return chat


def _topic(chat: ChatRecord, thread_id: int) -> TopicRecord:
    topic = chat.topics.get(thread_id)
    if topic is None:
        raise bad_request("message thread not found")
    return topic


def _publish_topic(sandbox: Sandbox, chat: ChatRecord, topic: TopicRecord, action: str) -> None:
    sandbox.events.publish("topic", chat.id, thread_id=topic.thread_id, action=action,
                           topic={**topic.forum_topic(), "is_closed": topic.is_closed})


@method("createForumTopic")
def create_forum_topic(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    chat = _forum(sandbox, p)
    name = p.get("name")
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_NAME_INVALID")
    color = p.get("icon_color", DEFAULT_TOPIC_COLOR)
    if color not in TOPIC_COLORS:
        raise bad_request("invalid icon_color specified")
    emoji = p.get("icon_custom_emoji_id") or None
    thread_id = chat.next_message_id  # a topic is named after the message that created it
    created: dict[str, Any] = {"name": name, "icon_color": color}
    if emoji:
        created["icon_custom_emoji_id"] = emoji
    topic = sandbox.world.add_topic(chat, thread_id, name, color, emoji)
    service_message(sandbox, chat, {"forum_topic_created": created}, thread_id)
    _publish_topic(sandbox, chat, topic, "created")
    return topic.forum_topic()


@method("editForumTopic")
def edit_forum_topic(sandbox: Sandbox, p: Params) -> bool:
    chat = _forum(sandbox, p)
    topic = _topic(chat, p.get("message_thread_id"))
    edited: dict[str, Any] = {}
    name, emoji = p.get("name"), p.get("icon_custom_emoji_id")
    if name and name != topic.name:
        if len(name) > 128:
            raise bad_request("TOPIC_NAME_INVALID")
        topic.name = edited["name"] = name
    if emoji is not None and (emoji or None) != topic.icon_custom_emoji_id:
        topic.icon_custom_emoji_id = emoji or None
        edited["icon_custom_emoji_id"] = emoji
    if not edited:
        raise bad_request("TOPIC_NOT_MODIFIED")
    service_message(sandbox, chat, {"forum_topic_edited": edited}, topic.thread_id)
    _publish_topic(sandbox, chat, topic, "edited")
    return True


def _set_closed(sandbox: Sandbox, p: Params, closed: bool) -> bool:
    chat = _forum(sandbox, p)
    topic = _topic(chat, p.get("message_thread_id"))
    if topic.is_closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.is_closed = closed
    key = "forum_topic_closed" if closed else "forum_topic_reopened"
    service_message(sandbox, chat, {key: {}}, topic.thread_id)
    _publish_topic(sandbox, chat, topic, "closed" if closed else "reopened")
    return True


@method("closeForumTopic")
def close_forum_topic(sandbox: Sandbox, p: Params) -> bool:
    return _set_closed(sandbox, p, True)


@method("reopenForumTopic")
def reopen_forum_topic(sandbox: Sandbox, p: Params) -> bool:
    return _set_closed(sandbox, p, False)


@method("pinChatMessage")
def pin_chat_message(sandbox: Sandbox, p: Params) -> bool:
    chat = bot_chat(sandbox, p.get("chat_id"))
    stored = chat.messages.get(p.get("message_id"))
    if stored is None:
        raise bad_request("message to pin not found")
    if stored.message_id in chat.pinned:
        chat.pinned.remove(stored.message_id)
        chat.pinned.append(stored.message_id)
        return True
    chat.pinned.append(stored.message_id)
    service_message(sandbox, chat, {"pinned_message": strip_reply(stored.data)}, stored.thread_id)
    return True


@method("unpinChatMessage")
def unpin_chat_message(sandbox: Sandbox, p: Params) -> bool:
    chat = bot_chat(sandbox, p.get("chat_id"))
    message_id = p.get("message_id")
    if message_id is None and chat.pinned:
        message_id = chat.pinned[-1]
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


@method("unpinAllChatMessages")
def unpin_all_chat_messages(sandbox: Sandbox, p: Params) -> bool:
    bot_chat(sandbox, p.get("chat_id")).pinned.clear()
    return True


@method("sendChatAction")
def send_chat_action(sandbox: Sandbox, p: Params) -> bool:
    chat = bot_chat(sandbox, p.get("chat_id"))
    action = p.get("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    thread_id = topic_thread(chat, p.get("message_thread_id"))
    sandbox.events.publish("chat_action", chat.id, thread_id=thread_id, action=action)
    return True
