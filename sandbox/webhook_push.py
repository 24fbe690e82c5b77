"""Webhook delivery: POST each pending update to the bot's URL, in order, retrying failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import aiohttp

from sandbox import jsonlib
from sandbox.state import Sandbox

log = logging.getLogger(__name__)
_IDLE_WAIT = 5.0


class WebhookPusher:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._sandbox.config.webhook_timeout)
        self._session = aiohttp.ClientSession(timeout=timeout)
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook-push")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        sandbox = self._sandbox
        delay = sandbox.config.webhook_retry_initial
        while not sandbox.closing:
            updates = sandbox.updates
            update = updates.first() if sandbox.webhook.url else None
            if update is None:
                await updates.wait(_IDLE_WAIT)
                continue
            if await self._deliver(update):
                updates.drop_first(update["update_id"])
                delay = sandbox.config.webhook_retry_initial
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, sandbox.config.webhook_retry_max)

    async def _deliver(self, update: dict) -> bool:
        settings = self._sandbox.webhook
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if settings.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = settings.secret_token
        try:
            async with self._session.post(
                settings.url, data=jsonlib.dumps(update), headers=headers
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorError:
            error = "Connection refused"
        except aiohttp.ClientError as exc:
            error = f"Connection error: {exc.__class__.__name__}"
        log.debug("webhook delivery failed: %s", error)
        settings.last_error_date = int(time.time())
        settings.last_error_message = error
        return False
