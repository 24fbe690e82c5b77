"""Two sender processes on one PostgreSQL database split a broadcast and never send a row
twice: claims are a single UPDATE ... FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bot.app import build_services, open_database
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.announcements.broadcasts import CAMPAIGN_KIND, Draft
from storage.models import OutboxMessage
from tests.announcements_support import progress_when, seed_subscribers, subscribe_bulk
from tests.conftest import POSTGRES_URL
from tests.support import settings_for
from tests.test_announcements_crash import _sender


async def test_two_senders_share_a_broadcast_without_duplicates(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        postgres_url: str) -> None:
    # (postgres_url: the database emptied and held for this test, so that other runs on
    # this machine do not drop its tables meanwhile.)
    ids = await seed_subscribers(sandbox_server, sandbox, 240)
    settings = settings_for(sandbox_server, tmp_path, database_url=POSTGRES_URL)
    database = await open_database(settings)
    services = build_services(settings, database)
    senders = []
    try:
        await subscribe_bulk(services, ids, ["trainings"])
        # With Telegram's limits on, the two share 30 a second (one budget, in Redis): both
        # get work, and neither draws a 429.
        await sandbox.configure(flood_limits=True)
        senders = [await _sender(sandbox_server, POSTGRES_URL, tmp_path) for _ in range(2)]
        record = await services.announcements.publish(Draft(
            author_id=None, topic="trainings", title="Exam class", body_html="Monday."))
        final = await progress_when(services, record.id, lambda p: p.remaining == 0,
                                    timeout=50)
        assert final.sent == 240 and final.failed == 0

        received: Counter = Counter()
        for call in await sandbox.calls("sendMessage"):
            if call["ok"] and "Exam class" in call["params"].get("text", ""):
                received[int(call["params"]["chat_id"])] += 1
        assert set(received) == set(ids) and set(received.values()) == {1}
        assert [c for c in await sandbox.calls("sendMessage") if c["error_code"] == 429] == []
        async with database.session() as session:
            workers = Counter((await session.execute(
                select(OutboxMessage.claimed_by).where(
                    OutboxMessage.campaign_kind == CAMPAIGN_KIND,
                    OutboxMessage.campaign_id == record.id))).scalars())
        assert len(workers) == 2, f"one sender did everything: {workers}"
    finally:
        for sender in senders:
            sender.terminate()
            await sender.wait()
        await database.close()
