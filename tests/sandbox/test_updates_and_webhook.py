"""getUpdates long polling and webhook push delivery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer


async def test_offset_confirms_updates(api, client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    await client.send_text(user["id"], "/start")
    await client.send_text(user["id"], "second")
    updates = await api.ok("getUpdates", encoding="form", timeout=0)
    assert [u["message"]["text"] for u in updates] == ["/start", "second"]
    assert updates[1]["update_id"] == updates[0]["update_id"] + 1
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0,
                                                  "length": 6}]
    assert "sandbox" not in updates[0]["message"]
    again = await api.ok("getUpdates", offset=updates[0]["update_id"] + 1)
    assert [u["message"]["text"] for u in again] == ["second"]
    assert await api.ok("getUpdates", offset=updates[1]["update_id"] + 1) == []
    assert (await api.ok("getWebhookInfo"))["pending_update_count"] == 0


async def test_negative_offset_and_limit(api, client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    for text in ("a", "b", "c"):
        await client.send_text(user["id"], text)
    assert [u["message"]["text"] for u in await api.ok("getUpdates", limit=2)] == ["a", "b"]
    assert [u["message"]["text"] for u in await api.ok("getUpdates", offset=-1)] == ["c"]
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["c"]


async def test_timeout_waits_and_returns_early(api, client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=1) == []
    assert time.monotonic() - started >= 0.9

    async def write_soon() -> None:
        await asyncio.sleep(0.2)
        await client.send_text(user["id"], "are you there?")

    started = time.monotonic()
    updates, _ = await asyncio.gather(api.ok("getUpdates", timeout=10), write_soon())
    assert time.monotonic() - started < 2
    assert [u["message"]["text"] for u in updates] == ["are you there?"]


async def test_allowed_updates_filters(api, client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    await client.send_text(user["id"], "/start")
    first = await api.ok("getUpdates", allowed_updates=["callback_query"])
    offset = first[-1]["update_id"] + 1
    await client.send_text(user["id"], "not delivered")
    sent = await api.ok("sendMessage", chat_id=user["id"], text="pick",
                        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    await client.press_button(user["id"], user["id"], sent["message_id"], "a", wait_answer=0)
    updates = await api.ok("getUpdates", offset=offset)
    assert [next(k for k in u if k != "update_id") for u in updates] == ["callback_query"]
    await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1, allowed_updates=[])
    await client.send_text(user["id"], "delivered again")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["delivered again"]


async def test_newer_get_updates_terminates_older(api) -> None:
    older = asyncio.create_task(api.call("getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await older
    assert status == 409 and body["description"].startswith(
        "Conflict: terminated by other getUpdates request")


class Receiver:
    """A tiny webhook endpoint that fails its first `failures` deliveries."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.attempts = 0
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.failures:
            return web.Response(status=500, text="boom")
        self.received.append((await request.json(),
                              request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        return web.Response(text="ok")


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig(webhook_retry_initial=0.05, webhook_retry_max=0.2)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook = Receiver(failures=2)
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    try:
        yield hook, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_webhook_push_with_secret_retry_and_conflict(
    api, client: SandboxClient, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    user = await client.add_user("Ann")
    await client.send_text(user["id"], "queued before the webhook")
    assert await api.ok("setWebhook", url=url, secret_token="top_secret-1",
                        drop_pending_updates=True)
    status, description = await api.error("getUpdates")
    assert status == 409 and description == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first")

    await client.send_text(user["id"], "via webhook")
    await asyncio.wait_for(hook.arrived.wait(), 5)
    [(update, secret)] = hook.received
    assert update["message"]["text"] == "via webhook" and secret == "top_secret-1"
    assert hook.attempts == 3
    info = await api.ok("getWebhookInfo")
    assert info["url"] == url and info["pending_update_count"] == 0
    assert info["last_error_message"] == (
        "Wrong response from the webhook: 500 Internal Server Error")
    assert isinstance(info["last_error_date"], int)

    assert await api.ok("deleteWebhook")
    assert (await api.ok("getWebhookInfo"))["url"] == ""
    await client.send_text(user["id"], "polled again")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["polled again"]


async def test_webhook_failure_keeps_updates_pending(api, client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    assert await api.ok("setWebhook", url="http://127.0.0.1:9/nowhere")
    await client.send_text(user["id"], "undeliverable")
    for _ in range(50):
        info = await api.ok("getWebhookInfo")
        if "last_error_message" in info:
            break
        await asyncio.sleep(0.05)
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Connection refused"
    assert await api.ok("deleteWebhook", drop_pending_updates=True)
    assert (await api.ok("getWebhookInfo"))["pending_update_count"] == 0


async def test_stop_ends_waiting_long_polls_quickly() -> None:
    server = SandboxServer()
    await server.start()
    async with aiohttp.ClientSession() as session:
        url = f"{server.bot_api_base}{server.token}/getUpdates"

        async def poll() -> list:
            async with session.post(url, json={"timeout": 30}) as response:
                return (await response.json())["result"]

        waiting = asyncio.create_task(poll())
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        assert await asyncio.wait_for(waiting, 5) == []
        assert time.monotonic() - started < 2
