"""All users, chats, topics and messages of the sandbox, in memory.

Messages live in one insertion-ordered dict per chat, so lookups, edits and deletes are O(1)
and listing a chat keeps the order Telegram would show.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from typing import Any

from sandbox.errors import ControlError, chat_not_found
from sandbox.records import CallbackRecord, ChatRecord, StoredMessage, TopicRecord, UserRecord

FIRST_USER_ID = 6_100_000_001
FIRST_GROUP_ID = -1_001_000_000_001
DEFAULT_TOPIC_COLOR = 7322096
_MAX_CALLBACKS = 20_000


def strip_reply(data: dict[str, Any]) -> dict[str, Any]:
    """A replied-to message as Telegram nests it: without its own reply_to_message."""
    if "reply_to_message" not in data:
        return data
    return {key: value for key, value in data.items() if key != "reply_to_message"}


class World:
    def __init__(self, bot_user: dict[str, Any], rng: random.Random, max_messages: int) -> None:
        self.bot_user = bot_user
        self.rng = rng
        self.max_messages = max_messages
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.usernames: dict[str, int] = {}
        self.callbacks: OrderedDict[str, CallbackRecord] = OrderedDict()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self._next_user_id = FIRST_USER_ID
        self._next_group_id = FIRST_GROUP_ID

    @staticmethod
    def now() -> int:
        return int(time.time())

    # ------------------------------------------------------------------ users and chats

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        user_id: int | None = None,
        persona: str | None = None,
    ) -> UserRecord:
        if not first_name:
            raise ControlError("first_name is required")
        if user_id is None:
            while self._next_user_id in self.users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        elif user_id <= 0 or user_id in self.users or user_id == self.bot_user["id"]:
            raise ControlError(f"user id {user_id} is taken or invalid")
        if username and username.lower() in self.usernames:
            raise ControlError(f"username {username} is taken")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
            self.usernames[username.lower()] = user_id
        if language_code:
            user["language_code"] = language_code
        record = UserRecord(user=user, persona=persona)
        self.users[user_id] = record
        return record

    def user(self, user_id: int) -> UserRecord:
        record = self.users.get(user_id)
        if record is None:
            raise ControlError(f"no user {user_id}", 404)
        return record

    def ensure_private_chat(self, record: UserRecord) -> ChatRecord:
        chat = self.chats.get(record.id)
        if chat is None:
            info: dict[str, Any] = {"id": record.id, "type": "private",
                                    "first_name": record.user["first_name"]}
            for key in ("last_name", "username"):
                if key in record.user:
                    info[key] = record.user[key]
            chat = ChatRecord(chat=info, chat_instance=self._chat_instance())
            chat.members[record.id] = "member"
            self.chats[record.id] = chat
        return chat

    def create_group(self, title: str, *, is_forum: bool) -> ChatRecord:
        if not title:
            raise ControlError("title is required")
        chat_id = self._next_group_id
        self._next_group_id -= 1
        info: dict[str, Any] = {"id": chat_id, "title": title, "type": "supergroup"}
        if is_forum:
            info["is_forum"] = True
        chat = ChatRecord(chat=info, chat_instance=self._chat_instance())
        chat.members[self.bot_user["id"]] = "administrator"
        self.chats[chat_id] = chat
        return chat

    def _chat_instance(self) -> str:
        return str(-self.rng.getrandbits(62))

    def resolve_chat(self, chat_id: int | str) -> ChatRecord:
        """The chat a Bot API chat_id names, or Telegram's "chat not found"."""
        if isinstance(chat_id, str):
            if not chat_id.startswith("@"):
                raise chat_not_found()
            target = self.usernames.get(chat_id[1:].lower())
            # Bots can address public groups by @username, never users.
            if target is None or target > 0:
                raise chat_not_found()
            chat_id = target
        chat = self.chats.get(chat_id)
        if chat is None:
            raise chat_not_found()
        return chat

    # ------------------------------------------------------------------ messages

    def add_message(
        self,
        chat: ChatRecord,
        *,
        sender: dict[str, Any],
        outgoing: bool,
        content: dict[str, Any],
        thread_id: int | None = None,
        reply_to: StoredMessage | None = None,
        date: int | None = None,
    ) -> StoredMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: dict[str, Any] = {"message_id": message_id}
        if thread_id is not None:
            data["message_thread_id"] = thread_id
        data["from"] = sender
        data["chat"] = chat.chat
        data["date"] = self.now() if date is None else date
        if thread_id is not None:
            data["is_topic_message"] = True
        if reply_to is None and thread_id is not None and thread_id != message_id:
            reply_to = chat.messages.get(thread_id)  # Telegram replies to the topic's creation
        if reply_to is not None:
            data["reply_to_message"] = strip_reply(reply_to.data)
        data.update(content)
        stored = StoredMessage(data=data, outgoing=outgoing, thread_id=thread_id)
        chat.messages[message_id] = stored
        if len(chat.messages) > self.max_messages:
            del chat.messages[next(iter(chat.messages))]
        return stored

    def message(self, chat: ChatRecord, message_id: int) -> StoredMessage | None:
        return chat.messages.get(message_id)

    def replace(
        self, chat: ChatRecord, stored: StoredMessage, data: dict[str, Any]
    ) -> StoredMessage:
        stored.data = data
        return stored

    def delete(self, chat: ChatRecord, message_id: int) -> StoredMessage | None:
        stored = chat.messages.pop(message_id, None)
        if stored is not None and message_id in chat.pinned:
            chat.pinned.remove(message_id)
        return stored

    def chat_messages(self, chat: ChatRecord, thread_id: int | None = None) -> list[StoredMessage]:
        if thread_id is None:
            return list(chat.messages.values())
        return [m for m in chat.messages.values() if m.thread_id == thread_id]

    # ------------------------------------------------------------------ topics

    def add_topic(self, chat: ChatRecord, thread_id: int, name: str, icon_color: int,
                  icon_custom_emoji_id: str | None) -> TopicRecord:
        topic = TopicRecord(thread_id, name, icon_color, icon_custom_emoji_id)
        chat.topics[thread_id] = topic
        return topic

    # ------------------------------------------------------------------ callback queries

    def add_callback(self, record: CallbackRecord) -> None:
        self.callbacks[record.query_id] = record
        while len(self.callbacks) > _MAX_CALLBACKS:
            self.callbacks.popitem(last=False)
