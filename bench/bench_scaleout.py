"""The bot plus two `hotline deliver` processes on PostgreSQL, one announcement to 3,000 people.

Flood limits on in the sandbox (its own process). All three processes share one bot token and
so one budget, kept in Redis. Run (a): all three send to the end. Run (b): a second
announcement to the same people, one `hotline deliver` killed with SIGKILL half-way; its claims
expire (lease 10 s) and the others take them over. Printed: the pace as a fraction of 30/s
(first to last message Telegram accepted), the 429 answers, the most messages in any one
second, lost, duplicates, and for (b) the rows the killed sender held claimed and unsent at
the kill (the most that may arrive twice). Needs PostgreSQL (127.0.0.1:5432, database test,
taken in turn with the tests through their advisory lock) and Redis (127.0.0.1:6379).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
from sqlalchemy import func, select

from bench.bench_broadcast import _free_port, _seed, _start_sandbox
from bot.app import Hotline, build_hotline
from bot.settings import load_settings
from sandbox.client import SandboxClient
from services.announcements.broadcasts import CAMPAIGN_KIND, Draft
from storage.models import OutboxMessage
from storage.repositories.users import UserRepository

RECIPIENTS = 3_000
LEASE_SECONDS = 10  # short enough to show the take-over, long enough for a busy machine
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_LOCK_KEY = 4_242_001  # the tests' (tests/conftest.py): runs take turns on the database
ROOT = Path(__file__).resolve().parent.parent


def _unavailable() -> str | None:
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError as exc:
            return f"{name} does not answer at 127.0.0.1:{port} ({exc})"
    return None


async def _deliver(base: str, token: str, folder: Path, name: str
                   ) -> tuple[asyncio.subprocess.Process, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({"PYTHONPATH": str(ROOT), "HOTLINE_BOT_TOKEN": token,
                "HOTLINE_API_BASE_URL": f"{base}/bot",
                "HOTLINE_API_FILE_BASE_URL": f"{base}/file/bot",
                "HOTLINE_DATABASE_URL": PG_URL,
                "HOTLINE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS)})
    log_path = folder / f"{name}.log"
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "deliver", env=env, cwd=folder,
            stdout=asyncio.subprocess.DEVNULL, stderr=log_file)
    return process, log_path


async def _sender_id(log_path: Path) -> str:
    """The id the sender prints once it runs (its outbox claims carry it)."""
    while True:
        found = re.search(r"sender (\w+) is running", await asyncio.to_thread(log_path.read_text))
        if found:
            return found.group(1)
        await asyncio.sleep(0.1)


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _progress_at_least(hotline: Hotline, announcement_id: int, sent: int) -> None:
    while True:
        progress = await hotline.services.announcements.progress(announcement_id)
        if progress.sent >= sent or progress.remaining == 0:
            return
        await asyncio.sleep(0.05)


async def _held_unsent(hotline: Hotline, announcement_id: int, sender: str) -> int:
    async with hotline.services.database.session() as session:
        return int((await session.execute(
            select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.campaign_kind == CAMPAIGN_KIND,
                OutboxMessage.campaign_id == announcement_id,
                OutboxMessage.state == "claimed", OutboxMessage.claimed_by == sender))
        ).scalar_one())


async def _run(hotline: Hotline, client: SandboxClient, ids: list[int], title: str,
               kill: tuple[asyncio.subprocess.Process, str] | None) -> str:
    started = time.perf_counter()
    record = await hotline.services.announcements.publish(Draft(
        author_id=None, topic="policy", title=title, body_html="Scale-out benchmark."))
    in_flight = None
    if kill is not None:
        process, sender = kill
        await _progress_at_least(hotline, record.id, RECIPIENTS // 2)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        in_flight = await _held_unsent(hotline, record.id, sender)
    while True:
        progress = await hotline.services.announcements.progress(record.id)
        if progress.remaining == 0:
            break
        await asyncio.sleep(0.2)
    seconds = time.perf_counter() - started
    calls = [c for c in await client.calls("sendMessage")
             if title in c["params"].get("text", "")]
    accepted = [c for c in calls if c["ok"]]
    times = [float(c["at"]) for c in accepted]
    window = max(times) - min(times) if times else 0.0
    received = Counter(int(c["params"]["chat_id"]) for c in accepted)
    rate = len(accepted) / window if window else 0.0
    line = (f"{len(accepted)} accepted in {window:.1f} s = {rate:.2f}/s = {rate / 30:.3f} of "
            f"30/s ({seconds:.1f} s wall); 429s {sum(c['error_code'] == 429 for c in calls)}; "
            f"most in one second {_most_in_one_second(times)}; "
            f"lost {len(set(ids) - set(received))}; "
            f"duplicates {sum(n - 1 for n in received.values())}; "
            f"failed {progress.failed}")
    if in_flight is not None:
        line += f"; claimed and unsent by the killed sender at the kill {in_flight}"
    return line


async def main() -> None:
    if reason := _unavailable():
        print(f"skipped: {reason}")
        return
    holder = await asyncpg.connect(PG_DSN)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", PG_LOCK_KEY)
        await holder.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        await _bench()
    finally:
        await holder.close()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


async def _bench() -> None:
    port, token = _free_port(), f"7000000003:{secrets.token_urlsafe(26)}"
    base = f"http://127.0.0.1:{port}"
    sandbox = await _start_sandbox(port, token)
    senders: list[asyncio.subprocess.Process] = []
    try:
        async with SandboxClient(base) as client:
            ids = await _seed(base, token, client, RECIPIENTS, "R")
            with tempfile.TemporaryDirectory() as folder:
                settings = load_settings(
                    _env_file=None, bot_token=token, api_base_url=f"{base}/bot",
                    api_file_base_url=f"{base}/file/bot", http_port=0, log_level="WARNING",
                    database_url=PG_URL, delivery_lease_seconds=LEASE_SECONDS)
                hotline = await build_hotline(settings)
                await hotline.start()
                try:
                    await UserRepository(hotline.services.database).ensure_many(ids, "en")
                    await hotline.services.subscriptions.subscribe_many(ids, ["policy"])
                    started = [await _deliver(base, token, Path(folder), f"deliver{n}")
                               for n in (1, 2)]
                    senders = [process for process, _log in started]
                    sender_ids = [await _sender_id(log) for _process, log in started]
                    print("(a) bot + 2 x hotline deliver: "
                          + await _run(hotline, client, ids, "Scale A", None), flush=True)
                    print("(b) the same, one hotline deliver killed -9 half-way: "
                          + await _run(hotline, client, ids, "Scale B",
                                       (senders[0], sender_ids[0])), flush=True)
                finally:
                    for process in senders:
                        if process.returncode is None:
                            process.terminate()
                            await process.wait()
                    await hotline.stop()
    finally:
        sandbox.terminate()
        with contextlib.suppress(ProcessLookupError):
            await sandbox.wait()
