"""What the message methods share: the chat the bot writes to, topic, reply, keyboard, sending."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.entities import check_url
from sandbox.errors import bad_request, chat_not_found, forbidden
from sandbox.formatting import format_text
from sandbox.params import Params
from sandbox.records import ChatRecord, StoredMessage
from sandbox.state import Sandbox

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


def bot_chat(sandbox: Sandbox, chat_id: Any, *, writing: bool = True) -> ChatRecord:
    """The chat `chat_id` names, refusing as Telegram does when the bot may not use it."""
    world = sandbox.world
    if isinstance(chat_id, int) and chat_id > 0 and chat_id not in world.chats:
        if chat_id in world.users:
            raise forbidden("bot can't initiate conversation with a user")
        raise chat_not_found()
    chat = world.resolve_chat(chat_id)
    if chat.is_private:
        user = world.users.get(chat.id)
        if writing and user is not None and user.blocked:
            raise forbidden("bot was blocked by the user")
    elif world.chats[chat.id].members.get(sandbox.bot_user["id"]) not in _MEMBER_STATUSES:
        raise forbidden("bot is not a member of the supergroup chat")
    return chat


def topic_thread(chat: ChatRecord, thread_id: int | None) -> int | None:
    if not thread_id:
        return None
    if not chat.chat.get("is_forum") or thread_id not in chat.topics:
        raise bad_request("message thread not found")
    return thread_id


def reply_target(chat: ChatRecord, reply_parameters: Any) -> StoredMessage | None:
    if not reply_parameters:
        return None
    if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
        raise bad_request("can't parse reply parameters JSON object")
    other_chat = reply_parameters.get("chat_id")
    stored = None
    if other_chat in (None, chat.id):
        stored = chat.messages.get(int(reply_parameters["message_id"]))
    if stored is None:
        if reply_parameters.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return stored


def check_inline_keyboard(markup: dict[str, Any]) -> dict[str, Any] | None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    "can't parse inline keyboard button: Field \"text\" must be of type String"
                )
            if not any(action in button for action in _BUTTON_ACTIONS):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (isinstance(data, str) and 0 < len(data.encode()) <= 64):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and (not isinstance(url, str) or check_url(url) is None):
                raise bad_request("BUTTON_URL_INVALID")
    return markup if any(rows) else None


def split_markup(markup: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(inline keyboard stored on the message, reply keyboard / remove / force reply)."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return check_inline_keyboard(markup), None
    if not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return None, markup


def user_resolver(sandbox: Sandbox):
    users = sandbox.world.users

    def resolve(user_id: int) -> dict[str, Any] | None:
        record = users.get(user_id)
        return None if record is None else record.user

    return resolve


def caption_content(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    caption = p.get("caption")
    if not caption:
        return {}
    text, entities = format_text(caption, p.get("parse_mode"), p.get("caption_entities"),
                                 resolve_user=user_resolver(sandbox), caption=True)
    content: dict[str, Any] = {}
    if text:
        content["caption"] = text
        if entities:
            content["caption_entities"] = entities
    return content


@dataclass(slots=True)
class Outgoing:
    chat: ChatRecord
    thread_id: int | None
    reply_to: StoredMessage | None
    extra: dict[str, Any] = field(default_factory=dict)
    keyboard: dict[str, Any] | None = None
    paid: bool = False


def prepare(sandbox: Sandbox, p: Params) -> Outgoing:
    """Target chat, topic, reply and keyboard of a message the bot is about to send."""
    chat = bot_chat(sandbox, p.get("chat_id"))
    thread_id = topic_thread(chat, p.get("message_thread_id"))
    reply_to = None
    if p.knows("reply_parameters"):
        reply_to = reply_target(chat, p.get("reply_parameters"))
    if reply_to is not None and thread_id is None:
        thread_id = reply_to.thread_id
    inline, keyboard = None, None
    if p.knows("reply_markup"):
        inline, keyboard = split_markup(p.get("reply_markup"))
    extra: dict[str, Any] = {}
    if p.get("protect_content"):
        extra["has_protected_content"] = True
    if inline is not None:
        extra["reply_markup"] = inline
    paid = bool(p.get("allow_paid_broadcast")) if p.knows("allow_paid_broadcast") else False
    return Outgoing(chat, thread_id, reply_to, extra, keyboard, paid)


def take_flood(sandbox: Sandbox, out: Outgoing, count: int = 1) -> None:
    sandbox.limits.take(out.chat.id, private=out.chat.is_private, paid=out.paid, count=count)


def send(sandbox: Sandbox, out: Outgoing, content: dict[str, Any]) -> StoredMessage:
    """Store a bot message and tell the chat page; the caller has taken the flood tokens."""
    stored = sandbox.world.add_message(
        out.chat,
        sender=sandbox.bot_user,
        outgoing=True,
        content={**content, **out.extra},
        thread_id=out.thread_id,
        reply_to=out.reply_to,
    )
    stored.keyboard = out.keyboard
    sandbox.events.publish("message", out.chat.id, thread_id=out.thread_id,
                           message=stored.data, outgoing=True)
    return stored


def service_message(
    sandbox: Sandbox, chat: ChatRecord, content: dict[str, Any], thread_id: int | None
) -> StoredMessage:
    """A service message caused by the bot (topic created, message pinned...)."""
    stored = sandbox.world.add_message(chat, sender=sandbox.bot_user, outgoing=True,
                                       content=content, thread_id=thread_id)
    sandbox.events.publish("message", chat.id, thread_id=thread_id, message=stored.data,
                           outgoing=True)
    return stored
