"""The conversation log reads incoming messages off PTB objects and outgoing ones off JSON:
both readings must give the same entry for the same message."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from telegram import Update

from handlers.message_log import entry_for_message, entry_for_update

CHAT = {"id": 501, "type": "private", "first_name": "Emma"}
USER = {"id": 501, "is_bot": False, "first_name": "Emma"}
BASE = {"message_id": 12, "date": 1_790_000_000, "chat": CHAT, "from": USER}
SAMPLES: list[dict[str, Any]] = [
    {**BASE, "text": "Can our station sign contracts?"},
    {**BASE, "text": "/ask legal"},
    {**BASE, "caption": "the form", "photo": [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 1280}]},
    {**BASE, "document": {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "a.pdf"}},
    {**BASE, "voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}},
    {**BASE, "location": {"latitude": 31.2, "longitude": 121.4}},
    {**BASE, "text": "a reply", "reply_to_message": {**BASE, "message_id": 7, "text": "q"}},
    {**BASE, "chat": {"id": -100123, "type": "supergroup", "title": "Staff", "is_forum": True},
     "text": "in a topic", "message_thread_id": 44, "is_topic_message": True},
]


def _without_time(entry: Any) -> dict[str, Any]:
    values = asdict(entry)
    values.pop("created_at")
    return values


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: next(
    k for k in ("text", "photo", "document", "voice", "location") if k in s))
def test_incoming_entries_match_the_json_reading(sample: dict[str, Any]) -> None:
    update = Update.de_json({"update_id": 1, "message": sample}, None)
    assert _without_time(entry_for_update(update)) == _without_time(
        entry_for_message(sample, "in", USER["id"]))


def test_an_edit_is_a_later_version_of_the_same_message() -> None:
    edited = {**SAMPLES[0], "edit_date": 1_790_000_100, "text": "Can our station sign them?"}
    entry = entry_for_update(Update.de_json({"update_id": 2, "edited_message": edited}, None))
    assert (entry.message_id, entry.version, entry.text) == (
        12, 1_790_000_100, "Can our station sign them?")
