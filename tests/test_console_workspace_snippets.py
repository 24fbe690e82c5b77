"""Canned replies (issue 14, item 6), over real HTTP and in Telegram against the running bot
and the sandbox: staff keep the shared library per category, experts their own; the case page
offers them filled in for the case, and /snippets sends one to the asker through the relay."""

from __future__ import annotations

import html

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_ops_support import consultation
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import buttons, person, press_data, say, wait_reply
from tests.support import bot_idle

FILLED = "Dear Emma, for C-2026-0001 bring the seal. — Legal expert Wang {typo}"


async def page_of(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str,
               data: dict[str, str]) -> tuple[int, str, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def test_canned_replies_are_kept_filled_in_and_sent_from_telegram(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    base = console_base(hotline)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as desk:
        _, page = await page_of(desk, f"{base}/snippets")
        status, _, body = await post(desk, f"{base}/snippets", {
            "csrf": csrf_of(page), "title": "Lease basics", "shared": "on", "category": "legal",
            "body": "  "})
        assert status == 400 and "Give the reply a title and a text." in body
        status, where, _ = await post(desk, f"{base}/snippets", {
            "csrf": csrf_of(page), "title": "Lease basics", "shared": "on", "category": "legal",
            "body": "Dear {name}, for {number} bring the seal. — {expert} {typo}"})
        assert status == 303 and "console_workspace.snippets.added" in where

    async with await signed_in_client(hotline, sandbox, talk.wang["id"]) as browser:
        _, page = await page_of(browser, f"{base}/snippets")
        assert "Lease basics" in page
        status, _, body = await post(browser, f"{base}/snippets", {
            "csrf": csrf_of(page), "title": "Mine", "shared": "on", "category": "legal",
            "body": "x"})
        assert status == 400 and "Only staff keep the shared replies" in body
        status, _, _ = await post(browser, f"{base}/snippets", {
            "csrf": csrf_of(page), "title": "Thanks", "body": "Thank you, {name}!"})
        assert status == 303
        _, page = await page_of(browser, f"{base}/cases/C-2026-0001")
        assert f'data-text="{html.escape(FILLED, quote=True)}"' in page
        assert 'data-text="Thank you, Emma!"' in page

    # Li (finance) sees neither Wang's own reply nor the legal library in her list.
    li_id = talk.li["id"]
    assert await hotline.services.hotline.snippets.repository.usable("finance", li_id) == []

    wang = talk.wang["id"]
    offer = await say(sandbox, wang, "/snippets", lambda m: bool(buttons(m)))
    assert [label for label, _ in buttons(offer)] == ["Lease basics", "Thanks"]
    lease = buttons(offer)[0][1]
    answer = await press_data(sandbox, wang, offer, lease)
    assert answer["answer"]["text"] == "Sent to the asker."
    await wait_reply(sandbox, talk.asker["id"], "bring the seal")

    # Once the case is closed, the same button sends nothing.
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None and await hotline.services.hotline.cases.close(case, "expert")
    refused = await press_data(sandbox, wang, offer, lease)
    assert refused["answer"]["show_alert"]
    assert "not open for you" in refused["answer"]["text"]
    await bot_idle(hotline)
    seen = [m.get("text") for m in await sandbox.bot_messages(talk.asker["id"])]
    assert seen.count(FILLED) == 1
