"""Experts in the console (issue 14, item 1), over real HTTP against the running bot and the
sandbox: an expert signs in with the bot's link and sees and opens only the cases they hold
and those offered to them; staff see all; `/console logout` ends all of a person's sessions."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import AuditEntry, Role
from tests.console_ops_support import consultation
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    link_from_bot,
    press_sign_in,
    signed_in_client,
)
from tests.driver import has, person, say
from tests.hotline_support import ask, offer_to, social_worker, submit


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def status_of(client: aiohttp.ClientSession, url: str) -> int:
    async with client.get(url, allow_redirects=False) as response:
        await response.read()
        return response.status


async def post(client: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def console_says(sandbox: SandboxClient, telegram_id: int, command: str,
                       fragment: str) -> str:
    answer = await say(sandbox, telegram_id, command, has(fragment))
    return answer["text"]


async def test_an_expert_sees_and_opens_only_their_cases_and_offers(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)  # C-2026-0001: legal, held by Wang
    grace = await social_worker(hotline, sandbox, "Grace")
    await submit(sandbox, grace, await ask(sandbox, grace, "finance", "Tax on a grant?"))
    await offer_to(sandbox, talk.li["id"], "C-2026-0002")  # offered to Li, not Wang
    await submit(sandbox, grace, await ask(sandbox, grace, "legal", "A tenancy dispute?"))
    await offer_to(sandbox, talk.wang["id"], "C-2026-0003")  # waiting, offered to Wang
    base = console_base(hotline)

    wang = http_client()
    async with wang:
        response = await press_sign_in(wang, await link_from_bot(sandbox, talk.wang["id"]))
        assert response.status == 303 and response.headers["Location"] == "/console/inbox"
        status, page = await get(wang, f"{base}/cases?expert={talk.li['id']}")
        assert status == 200
        assert "C-2026-0001" in page and "C-2026-0003" in page and "C-2026-0002" not in page
        assert 'action="/console/cases/export"' not in page  # staff's export is not offered
        assert 'href="/console/roster"' not in page and 'href="/console/cases"' in page
        status, page = await get(wang, f"{base}/cases/C-2026-0001")
        assert status == 200 and "Bring the organisation&#39;s seal." in page
        assert 'id="actions"' not in page  # reassign/transfer/close stay staff actions
        assert (await get(wang, f"{base}/cases/C-2026-0003"))[0] == 200
        status, page = await get(wang, f"{base}/cases/C-2026-0002")
        assert status == 404 and "Tax on a grant" not in page
        async with wang.get(f"{base}/", allow_redirects=False) as home:
            assert home.status == 303 and home.headers["Location"] == "/console/inbox"
        assert (await get(wang, f"{base}/roster"))[0] == 403
        _, page = await get(wang, f"{base}/cases/C-2026-0001")
        status, _ = await post(wang, f"{base}/cases/C-2026-0001/close",
                               {"csrf": csrf_of(page), "confirm": "on"})
        assert status == 403
        detail = await hotline.services.hotline.case_browser.detail("C-2026-0001")
        photo = next(e for e in detail.entries if e.kind == "photo")
        assert await status_of(wang, f"{base}/cases/C-2026-0001/files/{photo.message_id}") == 200

    async with await signed_in_client(hotline, sandbox, talk.zhao["id"]) as zhao:
        status, page = await get(zhao, f"{base}/cases")
        assert status == 200 and "C-2026-000" not in page
        assert (await get(zhao, f"{base}/cases/C-2026-0001"))[0] == 404
        assert await status_of(zhao, f"{base}/cases/C-2026-0001/files/{photo.message_id}") == 404

    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as chen:
        _, page = await get(chen, f"{base}/cases")
        assert all(f"C-2026-000{n}" in page for n in (1, 2, 3))
        _, page = await get(chen, f"{base}/cases/C-2026-0002")
        assert 'id="actions"' in page
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None and case.status == "open"  # the refused close changed nothing


async def test_console_logout_ends_every_session_of_the_sender_only(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await person(sandbox, hotline, "Wang", role=Role.EXPERT)
    chen = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    base = console_base(hotline)
    laptop = await signed_in_client(hotline, sandbox, wang["id"])
    phone = await signed_in_client(hotline, sandbox, wang["id"])
    desk = await signed_in_client(hotline, sandbox, chen["id"])
    async with laptop, phone, desk:
        for client in (laptop, phone):
            assert (await get(client, f"{base}/cases"))[0] == 200
        said = await console_says(sandbox, wang["id"], "/console logout", "sessions ended")
        assert "console sessions ended: 2" in said and "/console" in said
        for client in (laptop, phone):
            status, page = await get(client, f"{base}/cases")
            assert status == 401 and "/console" in page
        assert (await get(desk, f"{base}/cases"))[0] == 200  # someone else's session stays
        said = await console_says(sandbox, wang["id"], "/console logout", "no open console")
        said = await console_says(sandbox, wang["id"], "/console log me out", "/console logout")
        assert "every browser" in said
    async with hotline.services.database.session() as session:
        entries = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "console.sign_out"))).scalars().all()
    assert [(e.telegram_id, e.channel) for e in entries] == [(wang["id"], "bot")]


async def test_the_zh_cn_logout_answer_and_a_resident_without_sessions(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    li = await person(sandbox, hotline, "Li", role=Role.EXPERT, language="zh-hans")
    async with await signed_in_client(hotline, sandbox, li["id"]):
        said = await console_says(sandbox, li["id"], "/console logout", "结束的会话数")
        assert "结束的会话数：1" in said
    resident = await person(sandbox, hotline, "Sun", role=None)
    await console_says(sandbox, resident["id"], "/console logout", "no open console")
    said = await console_says(sandbox, resident["id"], "/console", "not")
    assert "/console/login" not in said
