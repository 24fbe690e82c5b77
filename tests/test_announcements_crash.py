"""A sender process killed with SIGKILL mid-broadcast, then restarted: nobody is skipped and
only the messages on the wire at the moment of the kill can arrive twice."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

from bot.app import build_hotline, build_services, open_database
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.announcements.broadcasts import CAMPAIGN_KIND, Draft
from tests.announcements_support import progress_when, seed_subscribers, subscribe_bulk
from tests.support import quiet_clock, settings_for

ROOT = Path(__file__).resolve().parent.parent


async def _sender(server: SandboxServer, database_url: str, cwd: Path
                  ) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "HOTLINE_BOT_TOKEN": server.token,
        "HOTLINE_API_BASE_URL": server.bot_api_base,
        "HOTLINE_API_FILE_BASE_URL": server.file_api_base,
        "HOTLINE_DATABASE_URL": database_url,
        # A killed sender's claims are taken over after a second, not a minute.
        "HOTLINE_DELIVERY_LEASE_SECONDS": "1",
    })
    # The sender's log, kept for when a test fails (the child keeps its own copy of the file).
    with (cwd / "sender.log").open("ab") as log_file:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "deliver", env=env, cwd=cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=log_file)


async def test_kill_9_mid_broadcast_then_restart(sandbox_server: SandboxServer,
                                                 sandbox: SandboxClient, tmp_path: Path) -> None:
    ids = await seed_subscribers(sandbox_server, sandbox, 200)
    settings = settings_for(sandbox_server, tmp_path)
    database = await open_database(settings)
    services = build_services(settings, database)
    try:
        await subscribe_bulk(services, ids, ["events"])
        await sandbox.configure(flood_limits=True)  # ~7 s for 200: time to kill it half-way
        record = await services.announcements.publish(Draft(
            author_id=None, topic="events", title="Carnival", body_html="Saturday."))

        first = await _sender(sandbox_server, settings.database_url, tmp_path)
        await progress_when(services, record.id, lambda p: p.sent >= 60)
        first.kill()  # SIGKILL: no clean-up of any kind
        await first.wait()
        killed_at = (await services.announcements.progress(record.id)).sent
        assert killed_at < 200

        second = await _sender(sandbox_server, settings.database_url, tmp_path)
        final = await progress_when(services, record.id, lambda p: p.remaining == 0)
        second.terminate()
        assert await second.wait() == 0

        assert final.sent == 200 and final.failed == 0
        received: Counter = Counter()
        for call in await sandbox.calls("sendMessage"):
            if call["ok"] and "Carnival" in call["params"].get("text", ""):
                received[int(call["params"]["chat_id"])] += 1
        assert set(received) == set(ids)  # nobody skipped
        duplicates = sum(count - 1 for count in received.values())
        # At most what was on the wire or not yet recorded (0.2 s of sending) at the kill.
        assert duplicates <= 10, f"{duplicates} duplicates"
        rows = await services.delivery.outbox.campaign_rows(CAMPAIGN_KIND, record.id)
        assert {state for _chat, state, _mid in rows} == {"sent"}
    finally:
        await database.close()


async def test_a_clean_restart_of_the_bot_resumes_at_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    ids = await seed_subscribers(sandbox_server, sandbox, 120)
    # The default lease (60 s): a clean stop must hand its rows back, not leave them claimed.
    settings = settings_for(sandbox_server, tmp_path)
    first = await build_hotline(settings, clock=quiet_clock)
    await first.start()
    await subscribe_bulk(first.services, ids, ["events"])
    await sandbox.configure(flood_limits=True)
    record = await first.services.announcements.publish(Draft(
        author_id=None, topic="events", title="Resumed", body_html="Sunday."))
    await progress_when(first.services, record.id, lambda p: p.sent >= 40)
    await first.stop()
    second = await build_hotline(settings, clock=quiet_clock)
    await second.start()
    try:
        final = await progress_when(second.services, record.id, lambda p: p.remaining == 0,
                                    timeout=20)
    finally:
        await second.stop()
    assert final.sent == 120
    received: Counter = Counter()
    for call in await sandbox.calls("sendMessage"):
        if call["ok"] and "Resumed" in call["params"].get("text", ""):
            received[int(call["params"]["chat_id"])] += 1
    assert set(received) == set(ids) and set(received.values()) == {1}
