"""The control API's view of messages and events: Bot API JSON plus a "sandbox" key for the
chat page (rendered HTML, direction, file URLs). Never used for what the bot receives."""

from __future__ import annotations

import html
from typing import Any

from sandbox.events import Event
from sandbox.html_entities import render_html
from sandbox.records import StoredMessage

FILES_PATH = "/sandbox/files/"


def _service_html(message: dict[str, Any]) -> str:
    def name_of(user: dict[str, Any]) -> str:
        return html.escape(user.get("first_name", ""))

    if "forum_topic_created" in message:
        return f"<i>Topic “{html.escape(message['forum_topic_created']['name'])}” created</i>"
    if "forum_topic_edited" in message:
        new_name = message["forum_topic_edited"].get("name")
        if new_name:
            return f"<i>Topic renamed to “{html.escape(new_name)}”</i>"
        return "<i>Topic edited</i>"
    if "forum_topic_closed" in message:
        return "<i>Topic closed</i>"
    if "forum_topic_reopened" in message:
        return "<i>Topic reopened</i>"
    if "pinned_message" in message:
        return "<i>Pinned a message</i>"
    if "new_chat_members" in message:
        names = ", ".join(name_of(user) for user in message["new_chat_members"])
        return f"<i>{names} joined the group</i>"
    return ""


def message_html(message: dict[str, Any]) -> str:
    if "text" in message:
        return render_html(message["text"], message.get("entities"))
    if "caption" in message:
        return render_html(message["caption"], message.get("caption_entities"))
    return _service_html(message)


def file_urls(message: dict[str, Any]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for size in message.get("photo", ()):
        urls[size["file_id"]] = FILES_PATH + size["file_id"]
    for key in ("document", "voice"):
        if key in message:
            urls[message[key]["file_id"]] = FILES_PATH + message[key]["file_id"]
    return urls


def control_message(message: dict[str, Any], outgoing: bool,
                    keyboard: dict[str, Any] | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "html": message_html(message),
        "direction": "out" if outgoing else "in",
        "file_urls": file_urls(message),
    }
    if keyboard is not None:
        extra["keyboard"] = keyboard
    return {**message, "sandbox": extra}


def stored_message(stored: StoredMessage) -> dict[str, Any]:
    return control_message(stored.data, stored.outgoing, stored.keyboard)


def control_event(event: Event) -> dict[str, Any]:
    body: dict[str, Any] = {"seq": event.seq, "type": event.type, "chat_id": event.chat_id}
    if event.thread_id is not None:
        body["message_thread_id"] = event.thread_id
    if event.message is not None:
        body["message"] = control_message(event.message, event.outgoing)
        body["message_id"] = event.message["message_id"]
    if event.extra:
        body.update(event.extra)
    return body
