"""Working a case from the console (issue 14, item 2) over real HTTP, against the running bot
and the sandbox: the expert claims and answers in the browser while the asker writes in
Telegram; the asker sees each answer once, in order, as a reply under the case card that
names the expert's alias; the staff topic mirrors it; a second submission sends nothing."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
from sqlalchemy import select

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import CaseMessage, Role
from tests.console_ops_support import PNG
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import wait_reply
from tests.hotline_support import (
    ALL_DAY,
    ask,
    expert,
    latest_case,
    offer_to,
    roster,
    social_worker,
    submit,
)
from tests.support import bot_idle, running_hotline, staff_forum_group


async def page_of(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str,
               data: dict[str, str]) -> tuple[int, str, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


def once_of(page: str) -> str:
    found = re.search(r'name="once" value="([^"]+)"', page)
    assert found, "the page has no reply box"
    return found[1]


def texts_of(messages: list[dict]) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in messages]


async def test_an_expert_claims_and_answers_in_the_console_while_the_asker_writes_in_telegram(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
        zhao = await expert(hotline, sandbox, "赵敏", "legal", name_en="Zhao Min")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        emma = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, emma, await ask(sandbox, emma, "legal", "How do we sign a lease?"))
        await offer_to(sandbox, wang["id"], "C-2026-0001")
        case_url = f"{console_base(hotline)}/cases/C-2026-0001"

        async with await signed_in_client(hotline, sandbox, wang["id"]) as browser:
            status, page = await page_of(browser, case_url)
            assert status == 200 and 'id="claim"' in page and 'id="reply-box"' not in page
            status, where, _ = await post(browser, f"{case_url}/claim", {"csrf": csrf_of(page)})
            assert status == 303 and "console_workspace.done.claimed" in where
            # The same notice as the bot's Claim button gives the asker.
            card = await wait_reply(sandbox, emma["id"], "has been taken")
            status, page = await page_of(browser, case_url)
            assert "Your answer was" not in page and 'id="reply-box"' in page
            assert "Legal expert Wang" in page  # whom the asker will see it from

            form = {"csrf": csrf_of(page), "once": once_of(page),
                    "text": "Bring the organisation's seal."}
            status, where, _ = await post(browser, f"{case_url}/answer", form)
            assert status == 303 and "console_workspace.done.answered" in where
            answer = await wait_reply(sandbox, emma["id"], "organisation's seal")
            assert answer["reply_to_message"]["message_id"] == card["message_id"]
            # The same form again (a double click, a reload): nothing more is sent.
            status, where, _ = await post(browser, f"{case_url}/answer", form)
            assert status == 303 and "console_comms.once.done" in where

            asked = await sandbox.send_text(emma["id"], "Is a scanned copy enough?")
            await wait_reply(sandbox, wang["id"], "scanned copy")
            await bot_idle(hotline)  # the copy arrives before the transcript row is written
            status, page = await page_of(browser, case_url)
            assert "Is a scanned copy enough?" in page

            # Two tabs send at once: each answer arrives once, in the transcript's order.
            pages = [await page_of(browser, case_url) for _ in range(2)]
            sent = await asyncio.gather(*(
                post(browser, f"{case_url}/answer", {
                    "csrf": csrf_of(p), "once": once_of(p), "text": f"Tab {n}: yes."})
                for n, (_, p) in enumerate(pages, 1)))
            assert [s[0] for s in sent] == [303, 303]
            await wait_reply(sandbox, emma["id"], "Tab 2", after=asked["message_id"])
            await wait_reply(sandbox, emma["id"], "Tab 1", after=asked["message_id"])
            # A photo with words under it, as a Telegram reply would carry it.
            _, page = await page_of(browser, case_url)
            upload = aiohttp.FormData()
            for name, value in (("csrf", csrf_of(page)), ("once", once_of(page)),
                                ("text", "The seal goes here.")):
                upload.add_field(name, value)
            upload.add_field("photo", PNG, filename="seal.png", content_type="image/png")
            async with browser.post(f"{case_url}/answer", data=upload,
                                    allow_redirects=False) as response:
                assert response.status == 303
            photo = await wait_reply(sandbox, emma["id"], lambda m: m.get("photo") is not None)
            assert photo["caption"] == "The seal goes here."
            assert photo["reply_to_message"]["message_id"] == card["message_id"]
            _, page = await page_of(browser, case_url)
            assert re.search(r'<img src="/console/cases/C-2026-0001/files/\d+"', page)

            for refused in ("", "   ", "x" * 4097):
                status, _, body = await post(browser, f"{case_url}/answer", {
                    "csrf": csrf_of(page), "once": once_of(page), "text": refused})
                assert status == 400 and ("Write an answer" in body or "too long" in body)

        seen = texts_of(await sandbox.bot_messages(emma["id"]))
        answers = [t for t in seen if t.startswith(("Bring the", "Tab ", "The seal"))]
        async with hotline.services.database.session() as session:
            stored = [m.text for m in (await session.execute(
                select(CaseMessage).where(CaseMessage.sender_role == "expert")
                .order_by(CaseMessage.id))).scalars()]
        assert answers == stored and len(answers) == 4 and answers[0].startswith("Bring")
        # Wang's own Telegram chat keeps the whole conversation, console answers included.
        in_wang_chat = texts_of(await sandbox.bot_messages(wang["id"]))
        assert [t for t in in_wang_chat if t in stored] == stored
        case = await latest_case(hotline, emma["id"])
        mirrored = texts_of(await sandbox.messages(group["id"], thread_id=case.staff_thread_id))
        assert all(mirrored.count(text) == 1 for text in stored)

        # Someone who does not hold the case cannot answer it, even with a form of their own.
        async with await signed_in_client(hotline, sandbox, zhao["id"]) as other:
            assert (await page_of(other, case_url))[0] == 404
            status, _, _ = await post(other, f"{case_url}/answer", {
                "csrf": "x", "once": "forged", "text": "Ignore Wang."})
            assert status == 403
        assert "Ignore Wang." not in texts_of(await sandbox.bot_messages(emma["id"]))

        async with await signed_in_client(hotline, sandbox, wang["id"]) as browser:
            _, page = await page_of(browser, case_url)
            status, where, _ = await post(browser, f"{case_url}/finish", {"csrf": csrf_of(page)})
            assert status == 303 and "console_workspace.done.closed" in where
            await wait_reply(sandbox, emma["id"], "rate")
            _, page = await page_of(browser, case_url)
            assert 'id="reply-box"' not in page
            # One timeline: each message once, between what happened to the case.
            start = page.index('id="timeline"')
            timeline = page[start:page.index("</ol>", start)]  # no edits: no inner list
            lines = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()
                     for item in timeline.split("<li class=")[1:]]
            assert [line.split(" ")[0] for line in lines] == [
                '"event', '"message', '"event', '"event', '"message', '"message', '"message',
                '"message', '"message', '"event']
            assert "event-asked" in lines[0] and "Emma asked a question (Legal)" in lines[0]
            assert "Offered to 王伟" in lines[2] and "Claimed by 王伟" in lines[3]
            assert "How do we sign a lease?" in lines[1]
            assert "Ended" in lines[9] and "closed by the expert" in lines[9]
            assert sum("organisation&#39;s seal" in line for line in lines) == 1
    finally:
        await hotline.stop()
