"""Composing an announcement without typing HTML, over real HTTP: what the toolbar makes
(<b>, <i>, <a href="https://...">) passes and reaches the review as Telegram HTML; any other
tag or link is refused beside the body, in the viewer's language, and nothing is sent."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person

MESSAGE = {"topic": "policy", "title": "Rent subsidy", "link": "", "when": "now",
           "send_at": ""}
TOOLBAR_BODY = ('Apply <b>now</b>, <i>before Friday</i>: '
                '<a href="https://gov.example/rent?x=1&amp;y=2">the form</a>.')


async def post(client: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_the_toolbars_tags_pass_to_the_review(hotline: Hotline,
                                                    sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            page = await response.text()
        assert 'id="format-toolbar"' in page and "compose_toolbar.js" in page
        status, review = await post(client, f"{base}/announcements/review",
                                    {**MESSAGE, "csrf": csrf_of(page), "body": TOOLBAR_BODY})
        assert status == 200, review
        assert ("Apply <b>now</b>, <i>before Friday</i>: "
                '<a href="https://gov.example/rent?x=1&amp;y=2">the form</a>.') in review


@pytest.mark.parametrize(("body", "shown"), [
    ("Hello <script>alert(1)</script>", "“&lt;script&gt;” cannot be sent"),
    ('<a href="javascript:alert(1)">x</a>', "“&lt;a href=&#34;javascript:alert(1)&#34;&gt;”"),
    ('<img src="x" onerror="alert(1)">',
     "“&lt;img src=&#34;x&#34; onerror=&#34;alert(1)&#34;&gt;”"),
    ("<div>block</div>", "“&lt;div&gt;” cannot be sent"),
])
async def test_other_tags_are_refused_beside_the_body(
        hotline: Hotline, sandbox: SandboxClient, body: str, shown: str) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        status, page = await post(client, f"{base}/announcements/review",
                                  {**MESSAGE, "csrf": csrf, "body": body})
        assert status == 400 and 'id="body-error"' in page
        assert shown in page, page[page.find("body-error") - 200:page.find("body-error") + 400]
    assert (await hotline.services.announcements.history.page(1)).total == 0


async def test_the_refusal_is_in_chinese_for_a_chinese_reader(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Li", language="zh-hans", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        status, page = await post(client, f"{base}/announcements/review",
                                  {**MESSAGE, "csrf": csrf, "body": "<u>ok</u> <marquee>x"})
        assert status == 400
        assert "“&lt;marquee&gt;”不能发送" in page
