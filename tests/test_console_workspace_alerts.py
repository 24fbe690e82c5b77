"""Waiting alerts (issue 14, item 7), against the running bot and the sandbox: a case nobody
claimed within the claim timeout, and an asker's message unanswered longer than the set time,
are marked in the console inbox and announced in the staff topic, each once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import update

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import announce_waiting
from storage.models import Case, CaseMessage, Role, utcnow
from tests.console_support import console_base, signed_in_client
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


async def listed(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url, allow_redirects=False) as response:
        assert response.status == 200
        return await response.text()


async def test_overdue_and_unanswered_cases_are_marked_and_announced_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"],
                                    unanswered_alert_minutes=20)
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        emma = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, emma, await ask(sandbox, emma, "legal", "How do we sign a lease?"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        case = await latest_case(hotline, emma["id"])
        inbox = f"{console_base(hotline)}/inbox/list?view=open"
        services = hotline.services

        async def alerts_in_topic() -> list[str]:
            await bot_idle(hotline)
            return [m.get("text") or "" for m in await sandbox.messages(
                group["id"], thread_id=case.staff_thread_id) if "⏰" in (m.get("text") or "")]

        async with await signed_in_client(hotline, sandbox, staffer["id"]) as desk:
            assert "Past the claim time" not in await listed(desk, inbox)
            assert await announce_waiting(services) == 0
            # The claim timeout passes with nobody claiming.
            async with services.database.session() as session:
                await session.execute(update(Case).values(
                    waiting_since=utcnow() - services.hotline.cases.claim_timeout
                    - timedelta(minutes=5)))
            assert "Past the claim time" in await listed(desk, inbox)
            await announce_waiting(services)
            assert await announce_waiting(services) == 0  # once
            overdue = await alerts_in_topic()
            assert len(overdue) == 1 and "仍无人认领" in overdue[0] and "C-2026-0001" in overdue[0]

            await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
            await wait_reply(sandbox, emma["id"], "has been taken")
            await sandbox.send_text(emma["id"], "Hello? Anyone there?")
            await wait_reply(sandbox, wang["id"], "Anyone there")
            await bot_idle(hotline)
            assert "Asker waiting for an answer" not in await listed(desk, inbox)
            # Twenty minutes pass without an answer.
            async with services.database.session() as session:
                await session.execute(update(CaseMessage).values(
                    created_at=utcnow() - timedelta(minutes=21)))
            assert "Asker waiting for an answer" in await listed(desk, inbox)
            await announce_waiting(services)
            assert await announce_waiting(services) == 0
            alerts = await alerts_in_topic()
            assert len(alerts) == 2 and "已等待回复 21 分钟" in alerts[1]

            await sandbox.send_text(wang["id"], "Sorry, here is the answer.")
            await wait_reply(sandbox, emma["id"], "here is the answer")
            await bot_idle(hotline)
            assert "Asker waiting for an answer" not in await listed(desk, inbox)
            assert await announce_waiting(services) == 0
        # The alerts are for staff: the asker is told nothing of them.
        assert not [m for m in await sandbox.bot_messages(emma["id"])
                    if "⏰" in (m.get("text") or "")]
    finally:
        await hotline.stop()


# Every sendMessage fails with a server error: more than the gateway's four attempts.
SERVER_DOWN = {"rate": 1.0, "kinds": ["5xx"], "methods": ["sendMessage"], "count": 4}


async def test_an_alert_that_did_not_get_through_is_sent_by_the_next_check(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    """An alert used to be recorded as given before it was sent: a send that failed for
    now was never tried again, and staff never heard of the case."""
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        emma = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, emma, await ask(sandbox, emma, "legal", "How do we sign a lease?"))
        await offer_to(sandbox, wang["id"], "C-2026-0001")
        case = await latest_case(hotline, emma["id"])
        services = hotline.services
        async with services.database.session() as session:
            await session.execute(update(Case).values(
                waiting_since=utcnow() - services.hotline.cases.claim_timeout
                - timedelta(minutes=5)))

        async def alerts_in_topic() -> list[str]:
            await bot_idle(hotline)
            return [m.get("text") or "" for m in await sandbox.messages(
                group["id"], thread_id=case.staff_thread_id) if "⏰" in (m.get("text") or "")]

        await sandbox.configure(faults=SERVER_DOWN)
        assert await announce_waiting(services) == 0
        await sandbox.configure(faults=None)
        assert await alerts_in_topic() == []
        assert await announce_waiting(services) == 1
        assert await announce_waiting(services) == 0  # and once
        [alert] = await alerts_in_topic()
        assert "仍无人认领" in alert and "C-2026-0001" in alert
    finally:
        await hotline.stop()
