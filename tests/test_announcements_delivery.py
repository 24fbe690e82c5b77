"""Broadcasts through the sandbox with Telegram's flood limits on: every subscriber gets the
announcement exactly once, blocked people are marked, replies to people go first, and a
broadcast can be stopped."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.announcements.broadcasts import CAMPAIGN_KIND, Draft
from services.delivery.engine import EngineSettings
from storage.models import Role, utcnow
from tests.announcements_support import (
    progress_reaching,
    progress_when,
    seed_subscribers,
    subscribe_bulk,
)
from tests.driver import labels, person, press_data, say, wait_reply
from tests.support import running_hotline


def _draft(author: int, title: str, **overrides: object) -> Draft:
    return Draft(author_id=author, topic="policy", title=title,
                 body_html="New <b>rules</b> for community funds.", **overrides)


async def _announcements_received(sandbox: SandboxClient, title: str) -> Counter:
    """chat id -> how many times the sandbox delivered a message with that title."""
    received: Counter = Counter()
    for call in await sandbox.calls("sendMessage"):
        text = call["params"].get("text", "")
        if call["ok"] and text.startswith("📢") and title in text:
            received[int(call["params"]["chat_id"])] += 1
    return received


async def test_500_subscribers_at_the_flood_limit_with_a_reply_in_between(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    ids = await seed_subscribers(sandbox_server, sandbox, 503)
    blocked = ids[:3]
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        await subscribe_bulk(hotline.services, ids, ["policy"])
        staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
        for user_id in blocked:
            await sandbox.block_bot(user_id)
        await sandbox.configure(flood_limits=True)
        started = time.monotonic()
        record = await hotline.services.announcements.publish(
            _draft(staff["id"], "Fund rules 2027"), progress_chat_id=staff["id"])
        assert record.recipients == 503

        # A person writes while the broadcast runs: the answer comes within a second.
        await progress_reaching(sandbox, staff["id"], 0, "being sent")
        newcomer = await sandbox.add_user("Late", language_code="en")
        asked = time.monotonic()
        reply = await say(sandbox, newcomer["id"], "/start", expect="Hello")
        assert time.monotonic() - asked < 1.0, "the reply waited behind the broadcast"
        assert reply["text"].startswith("Hello, Late!")

        report = await progress_reaching(sandbox, staff["id"], 0, "has been sent", timeout=60)
        elapsed = time.monotonic() - started
        assert "Sent 500 · blocked 3 · failed 0 · remaining 0" in report["text"]
        # 500 messages at 30 a second take at least ~16 s; we allow a fifth more.
        assert elapsed < 500 / 30 * 1.2 + 2, f"took {elapsed:.1f} s"

        received = await _announcements_received(sandbox, "Fund rules 2027")
        assert set(received) == set(ids) - set(blocked)
        assert set(received.values()) == {1}  # exactly once each
        rows = await hotline.services.delivery.outbox.campaign_rows(CAMPAIGN_KIND, record.id)
        assert Counter(state for _chat, state, _mid in rows) == {"sent": 500, "blocked": 3}
        for user_id in blocked:
            assert not (await hotline.services.subscriptions.settings(user_id)).active
        # Every 429 (if any) was followed by a successful send to that chat.
        limited = {int(c["params"]["chat_id"]) for c in await sandbox.calls("sendMessage")
                   if c["error_code"] == 429}
        assert limited <= set(received)

        # Next time the blocked people are skipped.
        again = await hotline.services.announcements.count_recipients(_draft(staff["id"], "x"))
        assert again == 500
    finally:
        await hotline.stop()


async def test_stopping_a_running_broadcast_sends_no_more(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    ids = await seed_subscribers(sandbox_server, sandbox, 150)
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        await subscribe_bulk(hotline.services, ids, ["policy"])
        staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
        await sandbox.configure(flood_limits=True)
        record = await hotline.services.announcements.publish(
            _draft(staff["id"], "Stop me"), progress_chat_id=staff["id"])
        progress = await progress_reaching(sandbox, staff["id"], 0, "being sent")
        assert labels(progress)[0] == "⛔ Stop sending"
        answer = await press_data(sandbox, staff["id"], progress, f"ann:stop:{record.id}")
        assert answer["answer"]["text"].startswith("Stopped")
        final = await progress_reaching(sandbox, staff["id"], 0, "was stopped")
        # Only rows already on the wire can still finish; then nothing more goes out.
        await progress_when(hotline.services, record.id, lambda p: p.remaining == 0)
        received = await _announcements_received(sandbox, "Stop me")
        rows = await hotline.services.delivery.outbox.campaign_rows(CAMPAIGN_KIND, record.id)
        states = Counter(state for _chat, state, _mid in rows)
        assert states["sent"] == len(received) and 0 < len(received) < 150
        assert states["cancelled"] == 150 - len(received)
        assert "reply_markup" not in final
        again = await press_data(sandbox, staff["id"], progress, f"ann:stop:{record.id}",
                                 forged=True)
        assert again["answer"]["text"].startswith("This announcement has already been")
    finally:
        await hotline.stop()


async def test_failures_are_retried_recorded_and_never_dropped(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    hotline.services.delivery.settings = EngineSettings(backoff_base=0.05, max_attempts=4,
                                                        progress_interval=0.5)
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    people = [await person(sandbox, hotline, f"P{i}", first="/start") for i in range(30)]
    ids = [p["id"] for p in people]
    gone = 4_000_000_001  # a chat Telegram does not know
    await subscribe_bulk(hotline.services, [*ids, gone], ["policy"])
    await sandbox.configure(faults={"rate": 0.3, "kinds": ["5xx", "drop"],
                                    "methods": ["sendMessage"]}, seed=7)
    record = await hotline.services.announcements.publish(
        _draft(staff["id"], "Flaky network"), progress_chat_id=None)
    engine = hotline.services.delivery
    progress = await progress_when(hotline.services, record.id, lambda p: p.remaining == 0)
    await sandbox.configure(faults=None)
    rows = await engine.outbox.campaign_rows(CAMPAIGN_KIND, record.id)
    states = {chat: state for chat, state, _mid in rows}
    assert states.pop(gone) == "blocked"
    assert not (await hotline.services.subscriptions.settings(gone)).active
    received = await _announcements_received(sandbox, "Flaky network")
    sent = {chat for chat, state in states.items() if state == "sent"}
    failed = {chat for chat, state in states.items() if state == "failed"}
    assert sent | failed == set(ids) and progress.sent == len(sent)
    assert set(received) == sent and set(received.values()) == {1}
    # With 30 % of calls failing, four attempts leave a row failed now and then: recorded.
    assert len(failed) <= 3


async def test_a_scheduled_announcement_waits_for_its_time(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    send_at = utcnow() + timedelta(seconds=2)
    record = await hotline.services.announcements.publish(
        _draft(staff["id"], "Later", send_at=send_at), progress_chat_id=staff["id"])
    assert record.state == "scheduled"
    scheduled = await progress_reaching(sandbox, staff["id"], 0, "will be sent at")
    assert labels(scheduled)[0] == "⛔ Stop sending"
    assert await _announcements_received(sandbox, "Later") == Counter()
    message = await wait_reply(sandbox, reader["id"], lambda m: "Later" in m["text"], timeout=10)
    assert message["date"] >= int(send_at.timestamp())
    await progress_reaching(sandbox, staff["id"], 0, "has been sent")
