"""Helpers of the announcement tests: people who started the bot, buttons, waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import aiohttp

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.container import Services
from services.delivery.protocol import Progress
from storage.repositories.users import UserRepository
from tests.driver import wait_edit, wait_reply


async def progress_reaching(sandbox: SandboxClient, chat_id: int, after: int, fragment: str,
                            *, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
    """The progress message (the first bot message after `after`) once it shows `fragment`."""
    message = await wait_reply(sandbox, chat_id,
                               lambda m: m["text"].startswith(("📤", "⏰", "✅", "⛔")),
                               after=after)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while fragment not in message["text"]:
        current = {m["message_id"]: m for m in await sandbox.messages(chat_id)}
        message = current[message["message_id"]]
        if fragment in message["text"]:
            break
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"progress never showed {fragment!r}: {message['text']!r}")
        with contextlib.suppress(TimeoutError):
            message = await wait_edit(sandbox, chat_id, message["message_id"],
                                      timeout=min(remaining, 5.0))
    return message


async def seed_subscribers(server: SandboxServer, sandbox: SandboxClient, count: int, *,
                           prefix: str = "Sub") -> list[int]:
    """`count` people who have written to the bot, without the bot answering each of them.

    Run before the bot starts: their /start updates are consumed here (getUpdates with a
    later offset), so a 500-person setup takes seconds instead of 1,000 rate-limited replies.
    Their rows and subscriptions are then written by `subscribe_bulk`.
    """
    ids = []
    for index in range(count):
        user = await sandbox.add_user(f"{prefix}{index}", language_code="en")
        await sandbox.send_text(user["id"], "/start")
        ids.append(user["id"])
    async with aiohttp.ClientSession() as http:
        url = f"{server.bot_api_base}{server.token}/getUpdates"
        async with http.post(url, json={"offset": -1, "timeout": 0}) as response:
            last = (await response.json())["result"]
        if last:
            async with http.post(url, json={"offset": last[-1]["update_id"] + 1,
                                             "timeout": 0}) as response:
                assert (await response.json())["ok"]
    return ids


async def subscribe_bulk(services: Services, ids: list[int], topics: list[str],
                         locale: str = "en") -> None:
    users = UserRepository(services.database)
    for telegram_id in ids:
        await users.ensure_exists(telegram_id, locale)
    await services.subscriptions.subscribe_many(ids, topics)


async def progress_when(services: Services, announcement_id: int,
                        condition: Callable[[Progress], bool], *,
                        timeout: float = 40.0) -> Progress:  # noqa: ASYNC109
    """Polls the outbox (which another task or process writes) until `condition` holds."""
    async with asyncio.timeout(timeout):
        while True:
            progress = await services.announcements.progress(announcement_id)
            if condition(progress):
                return progress
            await asyncio.sleep(0.05)
