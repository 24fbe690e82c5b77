"""Transfer and take-over from the console's case page (issue 14, item 2), over real HTTP
against the running bot and the sandbox: the same services as the bot's buttons, so the
asker and the experts are told exactly what Telegram would tell them."""

from __future__ import annotations

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_ops_support import consultation
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person, wait_reply
from tests.hotline_support import offer_to


async def page_of(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str,
               data: dict[str, str]) -> tuple[int, str, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def test_an_expert_transfers_and_staff_take_over_from_the_case_page(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)  # C-2026-0001, legal, held by Wang
    case_url = f"{console_base(hotline)}/cases/C-2026-0001"
    async with await signed_in_client(hotline, sandbox, talk.wang["id"]) as browser:
        _, page = await page_of(browser, case_url)
        assert 'id="take-over"' not in page  # a staff action
        status, _, body = await post(browser, f"{case_url}/hand-on",
                                     {"csrf": csrf_of(page), "category": "nonsense"})
        assert status == 400 and "Please choose from the list." in body
        status, _, _ = await post(browser, f"{case_url}/take-over", {"csrf": csrf_of(page)})
        assert status == 403
        status, where, _ = await post(browser, f"{case_url}/hand-on",
                                      {"csrf": csrf_of(page), "category": "finance"})
        assert status == 303 and "console_workspace.done.transferred" in where
    told = await wait_reply(sandbox, talk.asker["id"], "transferred")
    assert "Finance" in told["text"]
    await offer_to(sandbox, talk.li["id"], "C-2026-0001")  # the finance expert on duty

    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as desk:
        _, page = await page_of(desk, case_url)
        status, where, _ = await post(desk, f"{case_url}/take-over", {"csrf": csrf_of(page)})
        assert status == 303 and "console_workspace.done.taken_over" in where
        _, page = await page_of(desk, case_url)
        assert 'id="reply-box"' in page and 'id="take-over"' not in page
        assert "Transferred to Finance" in page and "Claimed by Chen" in page
        status, _, body = await post(desk, f"{case_url}/take-over", {"csrf": csrf_of(page)})
        assert status == 400 and "already yours" in body
    await wait_reply(sandbox, talk.asker["id"], "has been taken")
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None and case.expert_id == staff["id"] and case.category == "finance"

    # A colleague takes the open case over; the asker closes and reopens it: all in order.
    colleague = await person(sandbox, hotline, "Zhou", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, colleague["id"]) as other:
        _, page = await page_of(other, case_url)
        status, _, _ = await post(other, f"{case_url}/take-over", {"csrf": csrf_of(page)})
        assert status == 303
    await wait_reply(sandbox, talk.asker["id"], "now answered")
    cases = hotline.services.hotline.cases
    assert await cases.close(await cases.repository.get(case.id), "asker")
    assert (await cases.reopen(case.id, talk.asker["id"])).result == "reopened"
    async with await signed_in_client(hotline, sandbox, colleague["id"]) as other:
        _, page = await page_of(other, case_url)
    order = [page.index(text) for text in ("Transferred to Finance", "Claimed by Chen",
                                           "Taken over by Zhou", "Ended",
                                           "Reopened by the asker")]
    assert order == sorted(order)
