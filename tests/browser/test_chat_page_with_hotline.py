"""The issue's acceptance test: the real bot, the sandbox and its chat page, as a person uses them.

Fixtures `sandbox_server`, `sandbox` and `hotline` come from tests/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("playwright.async_api", reason="playwright is not importable")
from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer

pytestmark = pytest.mark.timeout(60)

# What the bot's messages look like right now: id, text and buttons of each, edits included.
BOT_MESSAGES_JS = (
    "[...document.querySelectorAll('.msg.from-bot')]"
    ".map(m => m.dataset.messageId + '|' + m.querySelector('.msg-col').innerText)"
)


async def test_resident_starts_the_bot_and_presses_its_first_button(
    sandbox_server: SandboxServer,
    sandbox: SandboxClient,
    hotline: Hotline,
    page: Any,
    screenshot: Any,
) -> None:
    resident = await sandbox.add_user(
        "李", last_name="阿姨", username="li_resident", language_code="zh-hans", persona="resident"
    )
    await page.goto(sandbox_server.chat_page_url)
    await page.wait_for_selector("body[data-ready]")
    await page.locator("#persona-select").select_option(str(resident["id"]))
    await expect(page.locator("#chat-title")).to_be_visible()

    composer = page.locator("#composer-input")
    await composer.fill("/start")
    await composer.press("Enter")
    await expect(page.locator(".msg.own .text", has_text="/start")).to_be_visible()

    # The bot's greeting arrives without a reload, with its inline keyboard.
    greeting = page.locator(".msg.from-bot", has=page.locator(".inline-kb")).last
    await expect(greeting).to_be_visible(timeout=15_000)
    await expect(greeting.locator(".text")).not_to_be_empty()
    await screenshot(page, "start_reply")

    first = greeting.locator(".kb-btn").first
    assert await first.get_attribute("data-callback"), "the first button is a callback button"
    before = await page.evaluate(f"() => {BOT_MESSAGES_JS}")
    await first.click()
    # Pressing it makes the bot answer: a new message, or an edit of one it sent.
    await page.wait_for_function(
        f"""before => {{
            const now = {BOT_MESSAGES_JS};
            return now.length > before.length || now.some((item, i) => item !== before[i]);
        }}""",
        arg=before,
        timeout=15_000,
    )
    await screenshot(page, "after_first_button")
