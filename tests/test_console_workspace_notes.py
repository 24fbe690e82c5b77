"""Internal notes on a case (issue 14, item 5) over real HTTP against the running bot and the
sandbox: the case's expert and staff write them in the console; they show in the timeline and
in the staff topic, and never reach the asker."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import CaseNote, Role
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import buttons, press_data, wait_reply
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


def note_form(page: str, text: str) -> dict[str, str]:
    once = re.search(r'id="note-box">\s*<input type="hidden" name="csrf" value="[^"]+">\s*'
                     r'<input type="hidden" name="once" value="([^"]+)"', page)
    assert once, "the page has no note box"
    return {"csrf": csrf_of(page), "once": once[1], "note": text}


async def test_notes_are_for_staff_and_the_expert_and_never_reach_the_asker(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await sandbox.send_text(staffer["id"], "/start")
        await wait_reply(sandbox, staffer["id"])
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
        zhao = await expert(hotline, sandbox, "赵敏", "legal", name_en="Zhao Min")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        emma = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, emma, await ask(sandbox, emma, "legal", "How do we sign a lease?"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await wait_reply(sandbox, emma["id"], "has been taken")
        await bot_idle(hotline)
        before = len(await sandbox.bot_messages(emma["id"]))
        case_url = f"{console_base(hotline)}/cases/C-2026-0001"
        case = await latest_case(hotline, emma["id"])

        async with await signed_in_client(hotline, sandbox, wang["id"]) as browser:
            _, page = await page_of(browser, case_url)
            form = note_form(page, "Asker seems <b>anxious</b>; check the lease date.")
            status, where, _ = await post(browser, f"{case_url}/notes", form)
            assert status == 303 and "console_workspace.done.noted" in where
            status, where, _ = await post(browser, f"{case_url}/notes", form)  # sent again
            assert status == 303 and "console_comms.once.done" in where
            _, page = await page_of(browser, case_url)
            status, _, body = await post(browser, f"{case_url}/notes", note_form(page, "  "))
            assert status == 400 and "Write the note" in body
            _, page = await page_of(browser, case_url)
            assert "Internal note by 王伟:" in page
            assert "Asker seems &lt;b&gt;anxious&lt;/b&gt;; check the lease date." in page

        async with await signed_in_client(hotline, sandbox, staffer["id"]) as desk:
            _, page = await page_of(desk, case_url)
            status, _, _ = await post(desk, f"{case_url}/notes",
                                      note_form(page, "Called the station: lease is fine."))
            assert status == 303
            _, page = await page_of(desk, case_url)
            assert "Internal note by Staff Zhou:" in page and "Internal note by 王伟:" in page

        async with await signed_in_client(hotline, sandbox, zhao["id"]) as other:
            assert (await page_of(other, case_url))[0] == 404
            _, page = await page_of(other, f"{console_base(hotline)}/inbox")
            status, _, _ = await post(other, f"{case_url}/notes", {
                "csrf": csrf_of(page), "once": "forged", "note": "Zhao was here."})
            assert status == 400

        # The staff topic (in the bureau's default language) shows both notes, marked as
        # not sent to the asker.
        await bot_idle(hotline)
        topic = [m.get("text") or "" for m in await sandbox.messages(
            group["id"], thread_id=case.staff_thread_id)]
        notes = [t for t in topic if "内部备注" in t]
        assert len(notes) == 2 and all("未发给提问人" in t for t in notes)
        assert "Asker seems <b>anxious</b>" in notes[0]  # as typed, not as markup
        await bot_idle(hotline)
        after = await sandbox.bot_messages(emma["id"])
        assert len(after) == before  # the asker got nothing
        async with hotline.services.database.session() as session:
            stored = (await session.execute(
                select(func.count()).select_from(CaseNote))).scalar_one()
        assert stored == 2
    finally:
        await hotline.stop()
