"""answerCallbackQuery."""

from __future__ import annotations

import time
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.state import Sandbox

_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@method("answerCallbackQuery")
def answer_callback_query(sandbox: Sandbox, p: Params) -> bool:
    record = sandbox.world.callbacks.get(p.get("callback_query_id"))
    if (record is None or record.answered
            or time.monotonic() - record.created > sandbox.config.callback_query_ttl):
        raise bad_request(_TOO_OLD)
    text = p.get("text") or None
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {"text": text, "show_alert": bool(p.get("show_alert"))}
    if p.get("url"):
        answer["url"] = p.get("url")
    record.answered = True
    record.answer = answer
    record.done.set()
    sandbox.events.publish(
        "callback_answer", record.chat_id, callback_query_id=record.query_id,
        message_id=record.message_id, user_id=record.user_id, **answer,
    )
    return True
