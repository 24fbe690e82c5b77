"""A sender that stalls past its claim renewals hands the row back instead of sending it:
another sender may hold it by then, and both sending would give the person the broadcast
twice (seen under load with a one-second lease: tests/test_shared_budget.py)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.announcements.broadcasts import Draft
from tests.announcements_support import progress_when, seed_subscribers, subscribe_bulk
from tests.support import running_hotline


async def test_a_row_whose_claim_may_have_lapsed_is_handed_back_not_sent(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    ids = await seed_subscribers(sandbox_server, sandbox, 1)
    hotline = await running_hotline(sandbox_server, tmp_path, delivery_lease_seconds=1)
    try:
        await subscribe_bulk(hotline.services, ids, ["events"])
        engine = hotline.services.delivery
        acquire = engine.limiter.acquire
        stalls = [0.8]  # the first row waits longer than two thirds of the lease

        async def slow_acquire(chat_id: int, *, paid: bool = False) -> None:
            if stalls:
                await asyncio.sleep(stalls.pop())
            await acquire(chat_id, paid=paid)

        async def renewal_fails(_sender: str) -> int:
            raise ConnectionError("the database did not answer in time")

        monkeypatch.setattr(engine.limiter, "acquire", slow_acquire)
        monkeypatch.setattr(engine.outbox, "renew", renewal_fails)
        caplog.set_level(logging.WARNING, logger="services.delivery.engine")
        record = await hotline.services.announcements.publish(Draft(
            author_id=None, topic="events", title="Street fair", body_html="Sunday."))
        final = await progress_when(hotline.services, record.id,
                                    lambda p: p.remaining == 0, timeout=20)
        assert final.sent == 1 and final.failed == 0
        assert any("may have lapsed; handed back unsent" in r.getMessage()
                   for r in caplog.records)
        received = Counter(int(c["params"]["chat_id"]) for c in await sandbox.calls("sendMessage")
                           if c["ok"] and "Street fair" in c["params"].get("text", ""))
        assert received == Counter({ids[0]: 1})
    finally:
        await hotline.stop()
