"""Nothing acknowledged is lost: the bot runs as a subprocess, takes updates (webhook: answered
200; long polling: offset confirmed), is killed with SIGKILL before it could handle them, and
after a restart every person gets exactly one answer.

The handlers are held at their first write by a lock on the `users` table taken from the test
(PostgreSQL), so at the kill no update has been answered and none half-way: the test does not
depend on timing. The inbox itself (`inbound_updates`) stays writable throughout.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.conftest import exclusive_postgres
from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "crash-test-secret"
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with exclusive_postgres() as url:
        yield url


async def start_bot(server: SandboxServer, database_url: str, cwd: Path,
                    webhook_port: int | None) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "HOTLINE_BOT_TOKEN": server.token,
        "HOTLINE_API_BASE_URL": server.bot_api_base,
        "HOTLINE_API_FILE_BASE_URL": server.file_api_base,
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_HTTP_PORT": str(webhook_port or free_port()),
    })
    if webhook_port is not None:
        env["HOTLINE_WEBHOOK_URL"] = f"http://127.0.0.1:{webhook_port}/telegram/webhook"
        env["HOTLINE_WEBHOOK_SECRET"] = SECRET
    with (cwd / "bot.log").open("ab") as log_file:  # kept for when a test fails
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=log_file)


async def until(condition: Callable[[], Awaitable[bool]], what: str,
                timeout: float = 30.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def inbox_counts(connection: asyncpg.Connection) -> tuple[int, int]:
    """(rows kept, rows handled)."""
    row = await connection.fetchrow(
        "SELECT count(*) AS kept, count(processed_at) AS handled FROM inbound_updates")
    return int(row["kept"]), int(row["handled"])


async def help_replies(sandbox: SandboxClient) -> Counter:
    received: Counter = Counter()
    for call in await sandbox.calls("sendMessage"):
        if call["ok"] and call["params"].get("text", "").startswith("<b>Commands</b>"):
            received[int(call["params"]["chat_id"])] += 1
    return received


async def kill_with_updates_kept(server: SandboxServer, sandbox: SandboxClient,
                                 tmp_path: Path, pg_url: str, webhook_port: int | None,
                                 people: int, messages_each: int) -> list[int]:
    """Runs the bot, holds its handlers, sends the messages, waits until Telegram's side has
    none left (acknowledged or confirmed), kills the bot, restarts it; returns the user ids."""
    users = [(await sandbox.add_user(f"Person {n}", language_code="en"))["id"]
             for n in range(people)]
    bot = await start_bot(server, pg_url, tmp_path, webhook_port)
    restarted = None
    monitor = await asyncpg.connect(PG_DSN)
    locker = await asyncpg.connect(PG_DSN)
    try:
        first_call = "setWebhook" if webhook_port else "getUpdates"
        await until(lambda: _called(sandbox, first_call), f"the bot's {first_call}")
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("LOCK TABLE users IN EXCLUSIVE MODE")
        for _ in range(messages_each):
            for user_id in users:
                await sandbox.send_text(user_id, "/help")
        total = people * messages_each
        queue = server.sandbox.updates

        async def all_taken() -> bool:
            kept, _ = await inbox_counts(monitor)
            return queue.pending_count == 0 and kept == total

        await until(all_taken, "every update acknowledged and kept")
        assert not await help_replies(sandbox), "the handlers were to be held"
        bot.kill()  # SIGKILL: no clean-up of any kind
        await bot.wait()
        await transaction.rollback()

        restarted = await start_bot(server, pg_url, tmp_path, webhook_port)

        async def all_handled() -> bool:
            kept, handled = await inbox_counts(monitor)
            return handled == kept == total

        await until(all_handled, "every kept update handled after the restart", timeout=60)
    finally:
        for process in (bot, restarted):
            if process is not None and process.returncode is None:
                process.terminate()
                await process.wait()
        await locker.close()
        await monitor.close()
    return users


async def _called(sandbox: SandboxClient, method: str) -> bool:
    return bool(await sandbox.calls(method))


async def test_webhook_updates_acknowledged_then_killed_are_answered_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        pg_url: str) -> None:
    users = await kill_with_updates_kept(sandbox_server, sandbox, tmp_path, pg_url,
                                         free_port(), people=200, messages_each=1)
    received = await help_replies(sandbox)
    assert set(received) == set(users)
    assert set(received.values()) == {1}


async def test_polled_updates_confirmed_then_killed_are_answered_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        pg_url: str) -> None:
    users = await kill_with_updates_kept(sandbox_server, sandbox, tmp_path, pg_url, None,
                                         people=25, messages_each=2)
    received = await help_replies(sandbox)
    assert set(received) == set(users)
    assert set(received.values()) == {2}
