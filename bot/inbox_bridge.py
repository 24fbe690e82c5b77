"""Between the update inbox and PTB: stored JSON becomes an Update on PTB's queue, and an
update PTB has finished is reported back so the inbox marks it handled."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import Application

from services.update_inbox import HandOver, UpdateInbox


def hand_over_to(application: Application) -> HandOver:
    async def hand_over(update_id: int, payload: str) -> None:
        update = Update.de_json(json.loads(payload), application.bot)
        if update is None:
            raise ValueError(f"update {update_id} is empty")
        await application.update_queue.put(update)

    return hand_over


def report_finished_to(inbox: UpdateInbox):
    def finished(update: object) -> None:
        if isinstance(update, Update):
            inbox.finished(update.update_id)

    return finished
