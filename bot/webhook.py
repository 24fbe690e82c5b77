"""Webhook intake: verify Telegram's secret header, check the JSON, keep the update in the
inbox, and only then answer 200 (services/update_inbox.py hands it to the handlers)."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.update_payload import MalformedUpdate, UnusableUpdate, parse_update, payload_text
from services.update_inbox import UpdateInbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Telegram waits at least this long before trying again once the backlog is full.
RETRY_AFTER_SECONDS = 5


def webhook_handler(application: Application, secret: str, inbox: UpdateInbox):
    expected = secret.encode()
    refused = 0  # calls refused since the backlog filled up: logged when it empties

    async def receive_update(request: web.Request) -> web.Response:
        nonlocal refused
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("refused a webhook call without the right secret from %s", request.remote)
            raise web.HTTPForbidden(text="forbidden")
        if inbox.full:
            # Not kept, so not acknowledged: Telegram keeps it and tries again later.
            if not refused:
                log.warning("webhook: %d updates wait to be handled; asked Telegram to retry "
                            "later until the handlers catch up", inbox.backlog)
            refused += 1
            raise web.HTTPServiceUnavailable(text="busy, retry later",
                                             headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        if refused:
            log.info("webhook: taking updates again (%d calls were asked to retry)", refused)
            refused = 0
        try:
            update_id, payload = parse_update(await request.read())
            if Update.de_json(payload, application.bot) is None:
                raise MalformedUpdate("empty update")
        except MalformedUpdate as exc:
            log.warning("webhook: refused a body that is not an update: %s", exc)
            raise web.HTTPBadRequest(text="not an update") from None
        except UnusableUpdate as exc:
            # Acknowledged all the same: an error answer would make Telegram send it for ever.
            log.warning("webhook: ignored an update that cannot be handled: %s", exc)
            return web.Response(text="ignored")
        except Exception as exc:  # PTB could not read it as an update, whatever the reason
            log.warning("webhook: refused a body that is not an update: %s",
                        exc.__class__.__name__)
            raise web.HTTPBadRequest(text="not an update") from None
        try:
            new = await inbox.keep(update_id, payload_text(payload))
        except Exception:
            log.exception("webhook: could not keep update %s; Telegram will resend it", update_id)
            raise web.HTTPServiceUnavailable(
                text="retry later", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
        if not new:
            log.info("ignored redelivered update %s", update_id)
        return web.Response(text="ok")

    return receive_update
