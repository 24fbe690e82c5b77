"""The in-memory records the sandbox world is made of."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class UserRecord:
    user: dict[str, Any]  # Bot API User
    persona: str | None = None
    blocked: bool = False

    @property
    def id(self) -> int:
        return self.user["id"]


@dataclass(slots=True)
class TopicRecord:
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    is_closed: bool = False

    def forum_topic(self) -> dict[str, Any]:
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass(slots=True)
class StoredMessage:
    data: dict[str, Any]  # the Bot API Message; replaced on edit, never mutated in place
    outgoing: bool  # sent by the bot
    thread_id: int | None = None
    keyboard: dict[str, Any] | None = None  # a reply keyboard, which Messages do not echo

    @property
    def message_id(self) -> int:
        return self.data["message_id"]


@dataclass(slots=True)
class ChatRecord:
    chat: dict[str, Any]  # Bot API Chat
    chat_instance: str
    members: dict[int, str] = field(default_factory=dict)  # user id -> ChatMember status
    topics: dict[int, TopicRecord] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return self.chat["id"]

    @property
    def is_private(self) -> bool:
        return self.chat["type"] == "private"


@dataclass(slots=True)
class CallbackRecord:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    created: float  # monotonic seconds
    answered: bool = False
    answer: dict[str, Any] | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
