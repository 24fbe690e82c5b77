"""copyMessage and forwardMessage."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.common import bot_chat, caption_content, prepare, send, take_flood
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.records import StoredMessage
from sandbox.state import Sandbox

# The parts of a message that travel with a copy or a forward.
_CONTENT_KEYS = ("text", "entities", "link_preview_options", "photo", "document", "voice",
                 "caption", "caption_entities")
_MEDIA_KEYS = ("photo", "document", "voice")


def _source(sandbox: Sandbox, p: Params, not_found: str) -> StoredMessage:
    chat = bot_chat(sandbox, p.get("from_chat_id"), writing=False)
    stored = chat.messages.get(p.get("message_id"))
    if stored is None:
        raise bad_request(not_found)
    if stored.data.get("has_protected_content"):
        raise bad_request("message has protected content and can't be forwarded")
    if not any(key in stored.data for key in ("text", *_MEDIA_KEYS)):
        raise bad_request("message can't be copied" if "copy" in not_found
                          else "message can't be forwarded")
    return stored


def _content(stored: StoredMessage) -> dict[str, Any]:
    return {key: stored.data[key] for key in _CONTENT_KEYS if key in stored.data}


@method("copyMessage")
def copy_message(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    stored = _source(sandbox, p, "message to copy not found")
    out = prepare(sandbox, p)
    content = _content(stored)
    if p.get("caption") is not None and any(key in content for key in _MEDIA_KEYS):
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(caption_content(sandbox, p))
    take_flood(sandbox, out)
    return {"message_id": send(sandbox, out, content).message_id}


@method("forwardMessage")
def forward_message(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    stored = _source(sandbox, p, "message to forward not found")
    out = prepare(sandbox, p)
    content = _content(stored)
    content["forward_origin"] = stored.data.get("forward_origin") or {
        "type": "user",
        "date": stored.data["date"],
        "sender_user": stored.data["from"],
    }
    take_flood(sandbox, out)
    return send(sandbox, out, content).data
