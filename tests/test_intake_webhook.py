"""The webhook's intake: what is not an update gets 400 and one log line (never 500), an
update with an id beyond 64 bits is acknowledged and dropped, U+0000 is made storable, the
backlog is bounded with "retry later", and what was kept is handled after a restart, once."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import ConversationEntry, InboundUpdate
from storage.repositories.inbound_updates import InboundUpdateRepository
from tests.driver import wait_reply
from tests.support import bot_idle, free_port, quiet_clock, settings_for

SECRET = "webhook-secret-for-tests"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def webhook_settings(server: SandboxServer, tmp_path: Path, **overrides: object):
    port = free_port()
    return settings_for(server, tmp_path, http_port=port,
                        webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                        webhook_secret=SECRET, **overrides)


@pytest.fixture
async def webhook_bot(sandbox_server: SandboxServer, tmp_path: Path,
                      database_url: str) -> AsyncIterator[Hotline]:
    running = await build_hotline(webhook_settings(sandbox_server, tmp_path,
                                                   database_url=database_url), clock=quiet_clock)
    await running.start()
    yield running
    await running.stop()


def text_update(update_id: int, user: dict, text: str, message_id: int | None = None) -> dict:
    message = {
        "message_id": message_id or 50_000 + update_id, "date": 1_790_000_000,
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        "from": {"id": user["id"], "is_bot": False, "first_name": user["first_name"],
                 "language_code": "en"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def post(url: str, body: bytes | dict) -> tuple[int, dict[str, str], str]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    async with aiohttp.ClientSession() as http, http.post(
            url, data=data, headers={**HEADERS, "Content-Type": "application/json"}) as answer:
        return answer.status, dict(answer.headers), await answer.text()


async def help_count(sandbox: SandboxClient, chat_id: int) -> int:
    return sum(1 for m in await sandbox.bot_messages(chat_id)
               if m["text"].startswith("Commands"))


async def stored_rows(hotline: Hotline, ids: range) -> int:
    async with hotline.services.database.session() as session:
        return int((await session.execute(
            select(func.count()).select_from(InboundUpdate)
            .where(InboundUpdate.update_id.between(ids.start, ids.stop - 1)))).scalar_one())


BURST = range(800_000, 800_030)
DEEP = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
NESTED = (b'{"update_id": 2, "message": {"message_id": 1, "date": 1, "chat": '
          b'{"id": 1, "type": "private"}, "x": ' + b'{"a": ' * 60 + b"1" + b"}" * 60 + b"}}")


@pytest.mark.parametrize("body", [
    b'"just a string"', b"42", b"[1, 2, 3]", b"null", b"{not json", b"\xff\xfe\x00",
    DEEP, NESTED, b"{}", b'{"update_id": "7"}', b'{"update_id": 8, "message": "hello"}',
], ids=["string", "number", "list", "null", "invalid", "not-utf8", "deep-arrays",
        "deep-objects", "no-update-id", "text-update-id", "message-not-an-object"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_body_that_is_not_an_update_gets_400_and_one_line(
        webhook_bot: Hotline, caplog: pytest.LogCaptureFixture, body: bytes) -> None:
    caplog.set_level(logging.INFO, logger="bot.webhook")
    status, _, _ = await post(webhook_bot.settings.webhook_url, body)
    assert status == 400
    lines = [r for r in caplog.records if r.name == "bot.webhook"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING and not lines[0].exc_info
    assert await stored_rows(webhook_bot, range(2**40)) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_id_beyond_64_bits_is_acknowledged_and_not_handled(
        webhook_bot: Hotline, sandbox: SandboxClient,
        caplog: pytest.LogCaptureFixture) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    await bot_idle(webhook_bot)
    before = len(await sandbox.bot_messages(user["id"]))
    caplog.set_level(logging.INFO, logger="bot.webhook")
    huge = text_update(900_001, {**user, "id": 2**63}, "/help")
    huge["message"]["chat"]["id"] = user["id"]
    status, _, text = await post(webhook_bot.settings.webhook_url, huge)
    # 200: an error answer would make Telegram deliver the same update for ever.
    assert (status, text) == (200, "ignored")
    [line] = [r for r in caplog.records if r.name == "bot.webhook"]
    assert "does not fit in 64 bits" in line.getMessage()
    # The same person's next update is handled: nothing was stored or queued for the first.
    status, _, _ = await post(webhook_bot.settings.webhook_url,
                              text_update(900_002, user, "/help"))
    assert status == 200
    await wait_reply(sandbox, user["id"], lambda m: "Commands" in m["text"])
    await bot_idle(webhook_bot)
    assert len(await sandbox.bot_messages(user["id"])) == before + 1
    async with webhook_bot.services.database.session() as session:
        kept = set((await session.execute(select(InboundUpdate.update_id))).scalars())
    assert 900_002 in kept and 900_001 not in kept


async def test_a_text_with_u0000_is_stored_and_answered(webhook_bot: Hotline,
                                                       sandbox: SandboxClient) -> None:
    """On PostgreSQL a U+0000 in a text used to stop the conversation log for good."""
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    await bot_idle(webhook_bot)
    status, _, _ = await post(webhook_bot.settings.webhook_url,
                              text_update(900_010, user, "/help a\x00b", message_id=777))
    assert status == 200
    await wait_reply(sandbox, user["id"], lambda m: "Commands" in m["text"])
    await bot_idle(webhook_bot)
    [entry] = [e for e in await webhook_bot.services.conversation_log.history(user["id"])
               if e.message_id == 777]
    assert entry.text == "/help a\ufffdb"  # one UTF-16 unit for one: entity offsets hold
    await sandbox.send_text(user["id"], "/privacy")
    reply = await wait_reply(sandbox, user["id"], lambda m: "Commands" not in m["text"])
    assert reply["text"]
    async with webhook_bot.services.database.session() as session:
        texts = (await session.execute(select(ConversationEntry.text).where(
            ConversationEntry.message_id == 777))).scalars().all()
    assert texts == ["/help a\ufffdb"]


async def test_past_the_backlog_limit_telegram_is_asked_to_retry(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    hotline = await build_hotline(webhook_settings(sandbox_server, tmp_path,
                                                   inbox_backlog_limit=10), clock=quiet_clock)
    await hotline.start()
    try:
        user = await sandbox.add_user("Emma", language_code="en")
        await sandbox.send_text(user["id"], "/start")
        await wait_reply(sandbox, user["id"])
        await bot_idle(hotline)
        # The first reply waits 4 s at the Bot API; the chat's next updates wait behind it.
        await sandbox.configure(faults={"rate": 1.0, "kinds": ["slow"], "slow_ms": 4000,
                                        "methods": ["sendMessage"], "count": 1})
        url = hotline.settings.webhook_url
        answers = [await post(url, text_update(800_000 + n, user, "/help")) for n in range(30)]
        statuses = [status for status, _, _ in answers]
        assert statuses == [200] * 10 + [503] * 20
        assert all(headers.get("Retry-After") == "5" for status, headers, _ in answers
                   if status == 503)
        # One line when refusing starts, not one per refused call.
        assert len([r for r in caplog.records if "asked Telegram to retry" in r.getMessage()]) == 1
        assert await stored_rows(hotline, BURST) == 10
        assert hotline.application.update_queue.qsize() <= 10

        # Telegram tries the refused ones again later: each is then kept and handled.
        async def accepted(n: int) -> bool:
            return (await post(url, text_update(800_000 + n, user, "/help")))[0] == 200

        for n in range(10, 30):
            for _ in range(150):
                if await accepted(n):
                    break
                await asyncio.sleep(0.2)  # Telegram's own pause before a retry, compressed
            else:
                raise AssertionError(f"update {800_000 + n} was refused for 30 s")
        # The first ten sent again as well: redeliveries are kept once and handled once.
        for n in range(10):
            assert await accepted(n)
        await bot_idle(hotline, timeout=30)
        assert await help_count(sandbox, user["id"]) == 30
        assert await stored_rows(hotline, BURST) == 30
    finally:
        await hotline.stop()


async def test_updates_kept_by_a_run_that_died_are_handled_once_at_start(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    settings = webhook_settings(sandbox_server, tmp_path)
    users = [await sandbox.add_user(f"Person {n}", language_code="en") for n in range(5)]
    for user in users:  # they wrote to the bot before, so it may answer them
        await sandbox.send_text(user["id"], "hello")
    first = await build_hotline(settings, clock=quiet_clock)
    await first.start()
    await bot_idle(first)
    await first.stop()
    # What a run killed right after answering 200 leaves behind: kept, never handled.
    from storage.db import Database  # the same file the next run opens
    database = Database(settings.database_url)
    try:
        await InboundUpdateRepository(database).keep(
            [(700_000 + n, json.dumps(text_update(700_000 + n, user, "/help")))
             for n, user in enumerate(users)])
    finally:
        await database.close()
    second = await build_hotline(settings, clock=quiet_clock)
    await second.start()
    try:
        await bot_idle(second, timeout=15)
        for n, user in enumerate(users):
            assert await help_count(sandbox, user["id"]) == 1
            # Telegram resending one of them after the restart changes nothing.
            status, _, _ = await post(settings.webhook_url,
                                      text_update(700_000 + n, user, "/help"))
            assert status == 200
        await bot_idle(second)
        for user in users:
            assert await help_count(sandbox, user["id"]) == 1
    finally:
        await second.stop()
