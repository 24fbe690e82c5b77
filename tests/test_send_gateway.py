"""The one send path under Telegram's real conditions (sandbox flood limits on, injected 429s
and 5xx): every person is answered, once and in order, and what is given up is recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.app import Hotline
from bot.gateway import RetryPolicy
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.announcements.broadcasts import Draft
from storage.models import SendFailure
from tests.announcements_support import progress_when, seed_subscribers, subscribe_bulk
from tests.driver import buttons, has, press_data, say, wait_reply
from tests.hotline_support import ask, expert, offer_to, roster, social_worker, submit
from tests.support import bot_idle, running_hotline

ALL_DAY = "daily,00:00,24:00"
HELP = has("Commands")


async def _people(sandbox: SandboxClient, count: int, prefix: str) -> list[int]:
    return [(await sandbox.add_user(f"{prefix}{i}", language_code="en"))["id"]
            for i in range(count)]


async def _all_ask_for_help(sandbox: SandboxClient, ids: list[int]) -> None:
    """Everyone sends /help at the same moment and gets an answer."""
    await asyncio.gather(*(sandbox.send_text(uid, "/help") for uid in ids))
    await asyncio.gather(*(wait_reply(sandbox, uid, HELP, timeout=30)
                           for uid in ids))


async def _each_answered_once(sandbox: SandboxClient, ids: list[int]) -> None:
    for uid in ids:
        answers = [m for m in await sandbox.bot_messages(uid) if "Commands" in m.get("text", "")]
        assert len(answers) == 1, f"{uid} got {len(answers)} answers"


async def test_sixty_people_at_once_all_get_their_answer(hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    await sandbox.configure(flood_limits=True)
    ids = await _people(sandbox, 60, "Burst")
    await _all_ask_for_help(sandbox, ids)
    await _each_answered_once(sandbox, ids)
    calls = await sandbox.calls("sendMessage")
    assert [c for c in calls if c["error_code"] == 429] == []  # the budget kept us under


async def test_replies_go_ahead_of_a_running_broadcast(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    subscribers = await seed_subscribers(sandbox_server, sandbox, 300)
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        await subscribe_bulk(hotline.services, subscribers, ["events"])
        await sandbox.configure(flood_limits=True)
        record = await hotline.services.announcements.publish(Draft(
            author_id=None, topic="events", title="Fair", body_html="Saturday."))
        await progress_when(hotline.services, record.id, lambda p: p.sent >= 30)
        people = await _people(sandbox, 60, "Busy")
        await _all_ask_for_help(sandbox, people)
        # Every answer went ahead of the broadcast, which still has people to reach (at 30
        # a second it needs about nine more seconds; 60 answers take two).
        assert (await hotline.services.announcements.progress(record.id)).remaining > 0
        await _each_answered_once(sandbox, people)
        final = await progress_when(hotline.services, record.id, lambda p: p.remaining == 0)
        assert final.sent == 300
        calls = await sandbox.calls("sendMessage")
        assert [c for c in calls if c["error_code"] == 429] == []
    finally:
        await hotline.stop()


async def test_a_reply_that_meets_a_429_arrives_once_and_in_order(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    person = await sandbox.add_user("Lin", language_code="en")
    uid = person["id"]
    await sandbox.send_text(uid, "/language")
    await wait_reply(sandbox, uid, "Choose your language")
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["429"], "methods": ["sendMessage"],
                                    "retry_after": 1, "count": 1})
    await sandbox.send_text(uid, "/help")
    await sandbox.send_text(uid, "/language")
    await wait_reply(sandbox, uid, HELP)
    await wait_reply(sandbox, uid, "Choose your language")
    texts = [m.get("text", "") for m in await sandbox.bot_messages(uid)]
    assert sum("Commands" in t for t in texts) == 1
    assert ["help" if "Commands" in t else "language" for t in texts
            if "Commands" in t or "Choose your language" in t] == ["language", "help",
                                                                   "language"]
    codes = [c["error_code"] for c in await sandbox.calls("sendMessage")]
    assert codes.count(429) == 1


async def _claimed_case(hotline: Hotline, sandbox: SandboxClient) -> tuple[dict, dict]:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Is this fine?"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, wang["id"], "Is this fine?")
    return asker, wang


async def test_a_relay_keeps_its_order_under_429s(hotline: Hotline,
                                                  sandbox: SandboxClient) -> None:
    asker, wang = await _claimed_case(hotline, sandbox)
    await sandbox.configure(flood_limits=True,
                            faults={"rate": 0.5, "kinds": ["429"], "methods": ["copyMessage"],
                                    "retry_after": 1}, seed=3)
    said = [f"part {n}" for n in range(1, 7)]
    for text in said:
        await sandbox.send_text(asker["id"], text)
    await wait_reply(sandbox, wang["id"], "part 6", timeout=30)
    await sandbox.configure(faults=None)
    copies = [m["text"] for m in await sandbox.bot_messages(wang["id"])
              if m.get("text", "").startswith("part ")]
    assert copies == said
    assert 429 in [c["error_code"] for c in await sandbox.calls("copyMessage")]


async def test_a_final_failure_is_recorded_once_and_shown(hotline: Hotline,
                                                          sandbox: SandboxClient) -> None:
    asker, wang = await _claimed_case(hotline, sandbox)
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx"], "methods": ["copyMessage"]})
    told = await say(sandbox, asker["id"], "Lost in transit")
    assert "could not be delivered" in told["text"]
    await sandbox.configure(faults=None)
    attempts = [c for c in await sandbox.calls("copyMessage") if c["error_code"] == 500
                or c["error_code"] == 502]
    assert len(attempts) == RetryPolicy().attempts  # tried, retried, then given up
    await bot_idle(hotline)

    async def recorded() -> list[SendFailure]:
        async with hotline.services.database.session() as session:
            return list((await session.execute(select(SendFailure))).scalars())

    async with asyncio.timeout(5):  # written by the failure log's background task
        while True:
            if rows := await recorded():
                break
            await asyncio.sleep(0.05)
    assert [(r.chat_id, r.method, r.outcome) for r in rows] == [
        (wang["id"], "copyMessage", "transient")]
    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{hotline.http_port}/healthz") as response:
        health = await response.json()
    assert health["undelivered_last_24h"] == 1
    # Counted once: nothing more is written for the same message later.
    await hotline.services.send_failures.flush()
    assert len(await recorded()) == 1
