"""The inbox pages through every waiting and open case (none is ever out of sight) and says
how many there are, and its live stream also follows changes made by another process (a
second bot process, `hotline deliver`, the CLI: here a second engine on the bot's database)."""

from __future__ import annotations

import re

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.hotline.inbox import PAGE_SIZE
from storage.db import Database
from storage.models import Role
from storage.repositories.hotline_cases import CaseRepository
from tests.console_support import console_base, signed_in_client
from tests.driver import person
from tests.test_console_workspace_live import next_change, opened, page_of

NUMBER = re.compile(r'data-number="(C-\d{4}-\d{4})"')


async def test_every_waiting_case_is_on_a_page_and_the_total_is_shown(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Staff Qin", role=Role.STAFF)
    asker = await person(sandbox, hotline, "Emma", role=Role.SOCIAL_WORKER)
    cases = hotline.services.hotline.cases.repository
    count = 2 * PAGE_SIZE + 20
    created = [(await cases.create(asker["id"], "legal", None, 0)).number
               for _ in range(count)]
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as browser:
        _, first = await page_of(browser, f"{base}/inbox?view=waiting")
        assert f"<title>({count}) Inbox" in first  # the title counts them all, not a page
        assert f"Cases in this view: {count}" in first
        assert "Page 1 of 3" in first and 'href="/console/inbox?view=waiting&amp;page=2"' in first
        seen = NUMBER.findall(first)
        assert seen == created[:PAGE_SIZE]  # longest waiting first
        for number in (2, 3):
            _, listed = await page_of(browser, f"{base}/inbox/list?view=waiting&page={number}")
            assert f"Page {number} of 3" in listed and "<html" not in listed
            seen += NUMBER.findall(listed)
        assert seen == created  # every case once, in order
        _, last = await page_of(browser, f"{base}/inbox?view=waiting&page=3")
        # The live list refetches the page it shows.
        assert 'data-fragment="/console/inbox/list?view=waiting&amp;page=3"' in last
        assert 'rel="prev"' in last and 'rel="next"' not in last
        # A page past the last (cases were claimed since the link was made) shows the last.
        _, beyond = await page_of(browser, f"{base}/inbox?view=waiting&page=9")
        assert NUMBER.findall(beyond) == created[2 * PAGE_SIZE:]
        _, odd = await page_of(browser, f"{base}/inbox?view=waiting&page=x")
        assert NUMBER.findall(odd) == created[:PAGE_SIZE]


async def test_the_live_pages_follow_changes_made_by_another_process(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Staff Qin", role=Role.STAFF)
    asker = await person(sandbox, hotline, "Emma", role=Role.SOCIAL_WORKER)
    expert = await person(sandbox, hotline, "Wang", role=Role.EXPERT)
    base = console_base(hotline)
    other = Database(hotline.settings.database_url)  # another process's engine, same file
    try:
        theirs = CaseRepository(other)
        async with await signed_in_client(hotline, sandbox, staff["id"]) as browser:
            async with browser.get(f"{base}/inbox/live") as stream:
                await opened(stream)
                case = await theirs.create(asker["id"], "legal", None, 0)
                assert await next_change(stream, 2.0) < 2.0
                _, listed = await page_of(browser, f"{base}/inbox/list?view=waiting")
                assert case.number in listed
            async with browser.get(f"{base}/cases/{case.number}/live") as stream:
                await opened(stream)
                assert await theirs.changes.claim(case.id, expert["id"])
                assert await next_change(stream, 2.0) < 2.0
                _, listed = await page_of(browser, f"{base}/inbox/list?view=waiting")
                assert case.number not in listed
    finally:
        await other.close()
