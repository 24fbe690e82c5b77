"""The dashboard over real HTTP: a choice of period (this week, last week, this month), each
expert's load and ratings, escalations, the oldest waiting case, plurals that read right, and
idea places in the viewer's language."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.send_failures import FinalFailure
from storage.models import CaseStatus, Role, utcnow
from tests.console_ops_support import consultation
from tests.console_support import console_base, signed_in_client
from tests.driver import person
from tests.ideas_helpers import resident_idea


async def page_of(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


def words(page: str, element: str) -> str:
    found = re.search(rf'<([a-z0-9]+) [^>]*id="{element}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no #{element} on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[2])).strip()


def figure(page: str, name: str) -> str:
    return words(page, f"figure-{name}")


async def test_periods_experts_escalations_and_the_oldest_waiting_case(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)  # C-2026-0001, claimed by 王伟 now
    service = hotline.services.dashboard
    repository = hotline.services.hotline.cases.repository
    now = utcnow()
    this_week, _ = service.period_bounds("this_week")
    last_week, _ = service.period_bounds("last_week")
    month_start, month_end = service.period_bounds("this_month")
    # Last week: a case 王伟 answered and closed, rated 4, after it went to the backups.
    earlier = await repository.create(talk.asker["id"], "legal", None, 1)
    opened = last_week + timedelta(days=1, hours=3)
    await repository.changes.set_fields(
        earlier.id, created_at=opened, waiting_since=opened, status=CaseStatus.CLOSED,
        expert_id=talk.wang["id"], claimed_at=opened + timedelta(minutes=6),
        first_answer_at=opened + timedelta(minutes=10),
        closed_at=opened + timedelta(hours=1), rating=4)
    # This week: a case nobody has claimed for three hours, passed on to staff.
    waiting = await repository.create(talk.asker["id"], "finance", None, 2)
    await repository.changes.set_fields(
        waiting.id, created_at=max(now - timedelta(hours=3), this_week),
        waiting_since=now - timedelta(hours=3, minutes=5))

    base = console_base(hotline)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        status, page = await page_of(client, base + "/")
        assert status == 200
        assert 'aria-current="page">This week</a>' in page
        assert figure(page, "week").startswith("2 ")
        assert figure(page, "escalated").startswith("1 ")
        assert figure(page, "oldest") == (
            f"{waiting.number} Waiting longest (Finance), waiting for 3 hours")
        load = words(page, "expert-load")
        assert "王伟 (Legal expert Wang) 1 0" in load
        assert "(1 rating" not in load

        status, page = await page_of(client, base + "/?period=last_week")
        assert status == 200 and 'aria-current="page">Last week</a>' in page
        assert figure(page, "week").startswith("1 ") and figure(page, "escalated").startswith("1 ")
        # One rating: "1 rating", never "1 ratings".
        assert figure(page, "rating") == "4.0 Average rating (1 rating)"
        # Claim times come from the claims made (none recorded for this one): a dash.
        assert "王伟 (Legal expert Wang) 1 1 – 4.0 4.0 (1 rating)" in words(page, "expert-load")
        first_day = last_week.astimezone(service._zone).date()
        assert words(page, "period-range") == (
            f"{first_day} to {first_day + timedelta(days=6)}")

        in_month = 2 + (month_start <= opened < month_end)
        status, page = await page_of(client, base + "/?period=this_month")
        assert status == 200 and figure(page, "week").startswith(f"{in_month} ")

        status, page = await page_of(client, base + "/?period=forever")
        assert status == 400 and "Please choose from the list." in words(page, "period-error")
        assert 'aria-current="page">This week</a>' in page

    chinese = await person(sandbox, hotline, "Wu", language="zh-hans", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, chinese["id"]) as client:
        status, page = await page_of(client, base + "/?period=last_week")
        assert 'aria-current="page">上周</a>' in page
        assert figure(page, "rating") == "4.0 平均评分（1 个评分）"
        status, page = await page_of(client, base + "/")
        assert figure(page, "oldest") == f"{waiting.number} 等待最久（财务）， 已等待 3 小时"


async def test_idea_places_are_in_the_viewers_language(hotline: Hotline,
                                                       sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Resident", role=None)
    idea = await resident_idea(hotline, author["id"], "More benches")
    base = console_base(hotline)
    for language, place in (("en", "Taihe Street · Taihe Community"),
                            ("zh-hans", "太和街道 · 太和社区")):
        staff = await person(sandbox, hotline, f"Staff {language}",
                             language=language, role=Role.STAFF)
        async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
            _, page = await page_of(client, base + "/")
            assert f"{idea.reference} More benches {place}" in words(page, "ideas")


async def test_messages_the_bot_gave_up_on_are_shown_to_staff(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    """What the send gateway finally gave up on (tests/test_send_gateway.py records it) is
    where staff look: the dashboard counts the last day's and lists the newest."""
    base = console_base(hotline)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        _, page = await page_of(client, base + "/")
        assert words(page, "undelivered").startswith(
            "0 messages not delivered in the last 24 hours Every message reached its person.")
        failures = hotline.services.send_failures
        failures.note(FinalFailure(chat_id=4242, method="sendMessage", outcome="blocked",
                                   reason="Forbidden: bot was blocked by the user"))
        failures.note(FinalFailure(chat_id=4343, method="copyMessage", outcome="transient",
                                   reason="Bad Gateway", at=utcnow() - timedelta(days=2)))
        await failures.flush()
        _, page = await page_of(client, base + "/")
        shown = words(page, "undelivered")
        assert shown.startswith("1 message not delivered in the last 24 hours")
        assert "4242 Blocked the bot · Forbidden: bot was blocked by the user" in shown
        # Older ones are still listed (newest first), but not counted as the last day's.
        assert shown.index("4242") < shown.index("4343")
