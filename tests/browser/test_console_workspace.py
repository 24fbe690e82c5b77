"""The console as the hotline's workspace, in Chromium against the real bot and the sandbox
(issue 14, items 1-3): an expert signs in with the bot's link, sees a new case arrive in the
live inbox without reloading, claims it and answers in the browser while the asker writes in
Telegram; both sides see every message once and in order."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from tests.console_support import console_base, link_from_bot
from tests.driver import wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, roster, social_worker, submit
from tests.support import bot_idle


async def sign_in_as_expert(hotline: Hotline, sandbox: SandboxClient, page: Any,
                            telegram_id: int) -> None:
    await page.goto(await link_from_bot(sandbox, telegram_id))
    # The link alone signs nobody in: the page waits for the button.
    await expect(page.locator("h1")).to_have_text("Sign in to the console")
    await page.locator("form[action='/console/login'] button").click()
    await page.wait_for_url(f"{console_base(hotline)}/inbox")


async def test_an_expert_works_a_case_in_the_browser_while_the_asker_writes_in_telegram(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    await sign_in_as_expert(hotline, sandbox, page, wang["id"])
    await page.get_by_role("link", name="Waiting for a claim").click()
    await expect(page.locator(".inbox .empty")).to_be_visible()
    await expect(page.locator("nav.nav a")).to_have_text(["Inbox", "Cases", "Canned replies"])

    # A question asked in Telegram appears in the open inbox, and in the title, unreloaded.
    await page.evaluate("window.__sameDocument = true")
    await submit(sandbox, emma, await ask(sandbox, emma, "legal", "How do we sign a lease?"))
    row = page.locator('#inbox-list [data-number="C-2026-0001"]')
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Legal")
    await expect(page).to_have_title("(1) Inbox · Community Hotline · Console")
    assert await page.evaluate("window.__sameDocument === true")  # no reload happened
    await screenshots(page, "inbox-en")

    await row.get_by_role("link", name="C-2026-0001").click()
    await page.get_by_role("button", name="Claim this case").click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    card = await wait_reply(sandbox, emma["id"], "has been taken")

    # The asker writes in Telegram: the open case page shows it without a reload.
    await page.evaluate("window.__sameDocument = true")
    await sandbox.send_text(emma["id"], "Is a scanned copy enough?")
    timeline = page.locator("#timeline")
    await expect(timeline.locator(".message").last).to_contain_text("Is a scanned copy enough?",
                                                                    timeout=2000)
    assert await page.evaluate("window.__sameDocument === true")

    # A canned reply, filled in for this case, goes into the box at the press of Insert.
    await hotline.services.hotline.snippets.add(
        wang["id"], False, shared=False, category=None, title="Scanned copies",
        body="Yes, {name}, a scanned copy with the seal is enough.")
    await page.reload()
    await page.locator("#snippet-pick").select_option(label="Scanned copies")
    await page.get_by_role("button", name="Insert").click()
    await expect(page.locator("#reply-text")).to_have_value(
        "Yes, Emma, a scanned copy with the seal is enough.")
    await page.get_by_role("button", name="Send to the asker").click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    await expect(page.locator(".notice")).to_have_text("Your answer was sent to the asker.")
    answer = await wait_reply(sandbox, emma["id"], "a scanned copy with")
    assert answer["reply_to_message"]["message_id"] == card["message_id"]

    messages = await timeline.locator(".message").all_inner_texts()
    assert [m for m in messages if "lease" in m or "scanned" in m] == messages
    assert "How do we sign a lease?" in messages[0]
    assert "Is a scanned copy enough?" in messages[1]
    assert "Yes, Emma, a scanned copy with the seal is enough." in messages[2]
    assert "Legal expert Wang" in messages[2]
    events = await timeline.locator(".event").all_inner_texts()
    assert "Claimed by 王伟" in " ".join(events)
    # The asker's chat: each answer once, after the question it answers.
    seen = [m.get("text") or "" for m in await sandbox.bot_messages(emma["id"])]
    assert seen.count("Yes, Emma, a scanned copy with the seal is enough.") == 1

    # An internal note shows in the timeline and never reaches the asker.
    await page.locator("#note-text").fill("Emma's station needs the seal by Friday.")
    await page.get_by_role("button", name="Add the note").click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    await expect(timeline.locator(".event-note")).to_contain_text("by Friday")
    await bot_idle(hotline)
    assert not [m for m in await sandbox.bot_messages(emma["id"])
                if "by Friday" in (m.get("text") or "")]
    await screenshots(page, "case-en")

    await page.get_by_role("button", name="中文").click()
    await page.wait_for_url("**/console/cases/C-2026-0001")
    await expect(page.locator("#work h2")).to_have_text("回复")
    await expect(timeline.locator(".event").first).to_contain_text("Emma 提出咨询（法律")
    await screenshots(page, "case-zh")
    await page.goto(f"{console_base(hotline)}/inbox?view=mine")
    await expect(page.locator('#inbox-list [data-number="C-2026-0001"]')).to_be_visible()
    await expect(page).to_have_title("待办个案 · 社区热线 · 工作台")
    await screenshots(page, "inbox-zh")
