"""The live inbox and the live case page (issue 14, item 3) over real HTTP against the running
bot and the sandbox: a Server-Sent Events stream says "changed" when a case is asked, claimed
or written to in Telegram, and the fragments show it, each within a second."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import aiohttp
from sqlalchemy import update

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Case, utcnow
from tests.console_support import console_base, http_client, signed_in_client
from tests.driver import buttons, press_data, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker, submit


async def page_of(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def next_change(stream: aiohttp.ClientResponse, within: float) -> float:
    """Seconds until the stream says "changed" (heartbeats and the opening are skipped)."""
    started = time.monotonic()

    async def read() -> None:
        while True:
            line = await stream.content.readline()
            assert line, "the stream ended"
            if line == b"event: changed\n":
                return

    await asyncio.wait_for(read(), within)
    return time.monotonic() - started


async def opened(stream: aiohttp.ClientResponse) -> None:
    assert stream.status == 200 and stream.headers["Content-Type"] == "text/event-stream"
    assert await stream.content.readline() == b"retry: 2000\n"


async def test_the_inbox_and_the_case_page_follow_telegram_live(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},finance,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, wang["id"]) as browser:
        status, page = await page_of(browser, f"{base}/inbox?view=waiting")
        assert status == 200 and "<title>Inbox" in page and "No cases here" in page
        async with browser.get(f"{base}/inbox/live") as stream:
            await opened(stream)
            await submit(sandbox, emma, await ask(sandbox, emma, "legal", "A lease question"))
            assert await next_change(stream, 5.0) < 5.0
            offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
            _, listed = await page_of(browser, f"{base}/inbox/list?view=waiting")
            assert "C-2026-0001" in listed and 'data-waiting="1"' in listed
            assert "Past the claim time" not in listed
            _, page = await page_of(browser, f"{base}/inbox?view=waiting")
            assert "<title>(1) Inbox" in page

            # Nobody claims it in time (the claim timeout has passed): marked overdue.
            async with hotline.services.database.session() as session:
                await session.execute(update(Case).values(
                    waiting_since=utcnow() - hotline.services.hotline.cases.claim_timeout
                    - timedelta(minutes=1)))
            _, listed = await page_of(browser, f"{base}/inbox/list?view=waiting")
            assert "Past the claim time" in listed
            assert 'class="inbox-item status-offered overdue"' in listed

            # A finance case is not Wang's to see: the stream says "changed", the list hides it.
            await submit(sandbox, emma, await ask(sandbox, emma, "finance", "A grant question"))
            await offer_to(sandbox, li["id"], "C-2026-0002")
            _, listed = await page_of(browser, f"{base}/inbox/list?view=open")
            assert "C-2026-0001" in listed and "C-2026-0002" not in listed

            await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
            card = await wait_reply(sandbox, emma["id"], "has been taken")
            _, listed = await page_of(browser, f"{base}/inbox/list?view=mine")
            assert "C-2026-0001" in listed and 'data-waiting="0"' in listed

        async with browser.get(f"{base}/cases/C-2026-0001/live") as stream:
            await opened(stream)
            # A reply to the case's card: Emma has two cases, the reply says which.
            await sandbox.send_text(emma["id"], "Here is one more detail.",
                                    reply_to=card["message_id"])
            # Within a second of Telegram the stream says "changed" and the fragment shows
            # the message. The claim's own last writes may still announce a change first,
            # so each change is followed by a read until the message is there.
            sent, fragment = time.monotonic(), ""
            while "Here is one more detail." not in fragment:
                await next_change(stream, 1.0 - (time.monotonic() - sent))
                _, fragment = await page_of(browser, f"{base}/cases/C-2026-0001/timeline")
            assert time.monotonic() - sent < 1.0 and "<html" not in fragment
        assert (await page_of(browser, f"{base}/cases/C-2026-0002/live"))[0] == 404
        assert (await page_of(browser, f"{base}/cases/C-2026-0002/timeline"))[0] == 404
    async with http_client() as stranger:
        assert (await page_of(stranger, f"{base}/inbox/live"))[0] == 401
        assert (await page_of(stranger, f"{base}/inbox/list"))[0] == 401
