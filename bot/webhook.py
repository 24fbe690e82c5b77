"""Webhook intake: verify Telegram's secret header, drop redeliveries, queue the update."""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Telegram redelivers an update until it gets a 200; it never resends one older than the
# last few thousand, so a bounded memory of recent ids is enough to process each once.
REMEMBERED_UPDATE_IDS = 10_000


class RecentUpdateIds:
    def __init__(self, capacity: int = REMEMBERED_UPDATE_IDS) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True


def webhook_handler(application: Application, secret: str):
    recent = RecentUpdateIds()
    expected = secret.encode()

    async def receive_update(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("refused a webhook call without the right secret from %s", request.remote)
            raise web.HTTPForbidden(text="forbidden")
        try:
            payload = await request.json(loads=json.loads)
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError):
            raise web.HTTPBadRequest(text="not an update") from None
        if update is None:
            raise web.HTTPBadRequest(text="not an update")
        if recent.first_time(update.update_id):
            await application.update_queue.put(update)
        else:
            log.info("ignored redelivered update %s", update.update_id)
        return web.Response(text="ok")

    return receive_update
