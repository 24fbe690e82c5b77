"""Webhook mode (secret header, redeliveries), the health check, and clean start-up errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bot.app import Hotline, build_hotline
from bot.settings import SettingsError, load_settings
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.driver import wait_reply
from tests.support import free_port, quiet_clock, settings_for

SECRET = "webhook-secret-for-tests"


@pytest.fixture
async def webhook_hotline(sandbox_server: SandboxServer, tmp_path: Path):
    port = free_port()
    settings = settings_for(sandbox_server, tmp_path, http_port=port,
                            webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                            webhook_secret=SECRET)
    running = await build_hotline(settings, clock=quiet_clock)
    await running.start()
    yield running
    await running.stop()


def command_update(update_id: int, user: dict, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 10_000 + update_id, "date": 1_790_000_000,
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": {"id": user["id"], "is_bot": False, "first_name": user["first_name"],
                     "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_mode_receives_pushed_updates(webhook_hotline: Hotline,
                                                    sandbox: SandboxClient) -> None:
    [set_webhook] = await sandbox.calls("setWebhook")
    assert set_webhook["params"]["secret_token"] == SECRET
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    reply = await wait_reply(sandbox, user["id"])
    assert reply["text"].startswith("Hello, Emma!")


async def test_webhook_refuses_a_missing_or_wrong_secret(webhook_hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    url = webhook_hotline.settings.webhook_url
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with http.post(url, json=command_update(1, user, "/help"),
                                 headers=headers) as response:
                assert response.status == 403
    await asyncio.sleep(0.5)
    # Only the /start reply (and the newcomer's announcements offer): /help was not answered.
    assert not [m for m in await sandbox.bot_messages(user["id"])
                if m["text"].startswith("Commands")]


async def test_a_redelivered_update_is_processed_once(webhook_hotline: Hotline,
                                                      sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            async with http.post(webhook_hotline.settings.webhook_url, headers=headers,
                                 json=command_update(777_777, user, "/help")) as response:
                assert response.status == 200
        async with http.post(webhook_hotline.settings.webhook_url, headers=headers,
                             data=b"{not json") as response:
            assert response.status == 400
    await wait_reply(sandbox, user["id"], lambda m: "/help" in m["text"])
    await asyncio.sleep(0.5)
    helps = [m for m in await sandbox.bot_messages(user["id"]) if "/help" in m["text"]
             and m["text"].startswith("Commands")]
    assert len(helps) == 1


async def test_health_reports_database_and_bot_api(hotline: Hotline,
                                                   sandbox: SandboxClient) -> None:
    url = f"http://127.0.0.1:{hotline.http_port}/healthz"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok",
                                             "checks": {"database": "ok", "bot_api": "ok"},
                                             "undelivered_last_24h": 0}
        await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx"], "methods": ["getMe"]})
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 503
            assert body["checks"]["database"] == "ok"
            assert body["checks"]["bot_api"].startswith("unreachable")


async def test_an_unreachable_database_is_one_sentence(sandbox_server: SandboxServer,
                                                       tmp_path: Path) -> None:
    settings = settings_for(sandbox_server, tmp_path,
                            database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(SettingsError) as error:
        await build_hotline(settings, clock=quiet_clock)
    assert str(error.value).startswith("HOTLINE_DATABASE_URL: the database cannot be reached")


@pytest.mark.parametrize(
    ("setting", "value", "sentence"),
    [
        ("bot_token", "abc:defg", "HOTLINE_BOT_TOKEN is malformed"),
        ("default_locale", "fr", "HOTLINE_DEFAULT_LOCALE must be one of: zh_CN, en."),
        ("timezone", "Mars/Olympus", "HOTLINE_TIMEZONE is not a known IANA time zone"),
        ("admin_ids", "12,abc", "HOTLINE_ADMIN_IDS must be Telegram user ids"),
        ("http_port", "99999", "HOTLINE_HTTP_PORT must be a port number"),
    ],
)
def test_wrong_settings_name_the_setting(setting: str, value: str, sentence: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **{setting: value})
    assert str(error.value).startswith(sentence)
    assert "abc:defg" not in str(error.value)  # a secret is never echoed


def test_webhook_needs_a_secret() -> None:
    with pytest.raises(SettingsError, match="HOTLINE_WEBHOOK_SECRET must be set"):
        load_settings(_env_file=None, webhook_url="https://example.org/hook")
