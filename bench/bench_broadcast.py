"""Broadcasts at Telegram's limits against the sandbox (flood limits on, in its own process).

(a) 3,000 subscribers at 30/s; (b) 20,000 with paid broadcast at 1,000/s; (c) the ecosystem's
default as the baseline: PTB's stock HTTPXRequest with its AIORateLimiter in a plain loop;
(d) 100,000 subscribers with paid broadcast: the time to queue them (publish) and the peak
memory of the sending process (`hotline deliver`, its VmHWM).
Prints messages a second as a fraction of the limit, 429s received (the sandbox's answers),
duplicates, lost, and the peak memory of the sending process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import secrets
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.app import build_services, open_database
from bot.settings import load_settings
from sandbox.client import SandboxClient
from services.announcements.broadcasts import Draft
from storage.repositories.users import UserRepository

FREE_COUNT, PAID_COUNT, BASELINE_COUNT, LARGE_COUNT = 3_000, 20_000, 600, 100_000
ROOT = Path(__file__).resolve().parent.parent
SEED_CONCURRENCY = 64


@dataclass
class Figures:
    name: str
    limit: float
    sent: int
    seconds: float
    too_many: int
    duplicates: int
    lost: int
    window: float  # first to last accepted send, as the sandbox saw them

    def line(self) -> str:
        rate = self.sent / self.window if self.window else 0.0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return (f"{self.name}: {self.sent} sent in {self.window:.1f} s = {rate:.1f}/s = "
                f"{rate / self.limit:.3f} of the {self.limit:g}/s limit "
                f"({self.seconds:.1f} s wall, from the start to the last result recorded); "
                f"429s {self.too_many}; duplicates {self.duplicates}; lost {self.lost}; "
                f"peak RSS {peak:.0f} MB")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _start_sandbox(port: int, token: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--port", str(port), "--token", token,
        "--flood-limits", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert process.stdout is not None
    await process.stdout.readline()  # the first line is printed once it listens
    return process


async def _seed(base: str, token: str, client: SandboxClient, count: int, prefix: str
                ) -> list[int]:
    """People who wrote to the bot; their updates are consumed so no bot answers them."""
    ids: list[int] = []
    semaphore = asyncio.Semaphore(SEED_CONCURRENCY)

    async def one(index: int) -> None:
        async with semaphore:
            user = await client.add_user(f"{prefix}{index}", language_code="en")
            await client.send_text(user["id"], "/start")
            ids.append(user["id"])

    await asyncio.gather(*(one(i) for i in range(count)))
    async with aiohttp.ClientSession() as http:
        url = f"{base}/bot{token}/getUpdates"
        async with http.post(url, json={"offset": -1, "timeout": 0}) as response:
            last = (await response.json())["result"]
        if last:  # confirming the last update drops every one before it
            async with http.post(url, json={"offset": last[-1]["update_id"] + 1,
                                             "timeout": 0}) as response:
                await response.read()
    return ids


async def _received(client: SandboxClient, marker: str) -> tuple[Counter, float]:
    """chat id -> messages accepted, and the seconds from the first to the last of them."""
    counts: Counter = Counter()
    times = []
    for call in await client.calls("sendMessage"):
        if call["ok"] and marker in call["params"].get("text", ""):
            counts[int(call["params"]["chat_id"])] += 1
            times.append(float(call["at"]))
    return counts, (max(times) - min(times)) if times else 0.0


async def _broadcast(base: str, token: str, client: SandboxClient, folder: Path, *,
                     paid: bool, count: int) -> Figures:
    name = "(b) paid broadcast" if paid else "(a) broadcast"
    ids = await _seed(base, token, client, count, "P" if paid else "F")
    settings = load_settings(
        _env_file=None, bot_token=token, api_base_url=f"{base}/bot",
        api_file_base_url=f"{base}/file/bot", paid_broadcast=paid,
        database_url=f"sqlite+aiosqlite:///{folder / (name[1] + '.db')}")
    database = await open_database(settings)
    services = build_services(settings, database)
    await UserRepository(database).ensure_many(ids, "en")
    await services.subscriptions.subscribe_many(ids, ["policy"])
    marker = f"Bench {name[1]}"
    # The bot's own send path (built by the root): the gateway on the budget (in memory:
    # SQLite, one process).
    bot = services.delivery.messenger.bot
    await bot.initialize()
    services.delivery.start()
    try:
        started = time.perf_counter()
        record = await services.announcements.publish(Draft(
            author_id=None, topic="policy", title=marker, body_html="Benchmark message."))
        while True:
            progress = await services.announcements.progress(record.id)
            if not progress.remaining:
                break
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        await services.delivery.stop()
        await bot.shutdown()
        await database.close()
    received, window = await _received(client, marker)
    too_many = sum(c["error_code"] == 429 for c in await client.calls("sendMessage"))
    return Figures(name, 1000.0 if paid else 30.0, sum(received.values()), seconds,
                   too_many, sum(n - 1 for n in received.values()),
                   len(set(ids) - set(received)), window)


async def _baseline(base: str, token: str, client: SandboxClient) -> Figures:
    ids = await _seed(base, token, client, BASELINE_COUNT, "B")
    bot = ExtBot(token, base_url=f"{base}/bot", request=HTTPXRequest(),
                 rate_limiter=AIORateLimiter())
    too_many = 0
    await bot.initialize()
    try:
        started = time.perf_counter()
        for chat_id in ids:  # the plain loop of the popular templates
            try:
                await bot.send_message(chat_id, "Bench baseline")
            except RetryAfter:
                too_many += 1  # AIORateLimiter gives up by default: the message is lost
        seconds = time.perf_counter() - started
    finally:
        await bot.shutdown()
    received, window = await _received(client, "Bench baseline")
    return Figures("(c) baseline HTTPXRequest + AIORateLimiter, plain loop", 30.0,
                   sum(received.values()), seconds, too_many,
                   sum(n - 1 for n in received.values()), len(set(ids) - set(received)),
                   window)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _large(base: str, token: str, client: SandboxClient, folder: Path) -> str:
    """100,000 paid: time to queue, then one `hotline deliver` sends them; its peak memory."""
    ids = await _seed(base, token, client, LARGE_COUNT, "L")
    database_url = f"sqlite+aiosqlite:///{folder / 'large.db'}"
    settings = load_settings(_env_file=None, bot_token=token, api_base_url=f"{base}/bot",
                             api_file_base_url=f"{base}/file/bot", paid_broadcast=True,
                             database_url=database_url)
    database = await open_database(settings)
    services = build_services(settings, database)
    await UserRepository(database).ensure_many(ids, "en")
    await services.subscriptions.subscribe_many(ids, ["policy"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({"PYTHONPATH": str(ROOT), "HOTLINE_BOT_TOKEN": token,
                "HOTLINE_API_BASE_URL": f"{base}/bot", "HOTLINE_LOG_LEVEL": "WARNING",
                "HOTLINE_API_FILE_BASE_URL": f"{base}/file/bot",
                "HOTLINE_DATABASE_URL": database_url})
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "deliver", env=env, cwd=folder,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        started = time.perf_counter()
        record = await services.announcements.publish(Draft(
            author_id=None, topic="policy", title="Bench L", body_html="Benchmark message."))
        queued = time.perf_counter() - started
        while True:
            progress = await services.announcements.progress(record.id)
            if not progress.remaining:
                break
            await asyncio.sleep(0.5)
        seconds = time.perf_counter() - started
        peak = _peak_rss_mb(sender.pid)
    finally:
        sender.terminate()
        await sender.wait()
        await database.close()
    too_many = sum(c["error_code"] == 429 for c in await client.calls("sendMessage"))
    return (f"(d) paid broadcast to {LARGE_COUNT:,}: queued in {queued:.1f} s; all sent in "
            f"{seconds:.1f} s = {progress.sent / seconds:.0f}/s; sent {progress.sent}, failed "
            f"{progress.failed}, blocked {progress.blocked}; 429s in the sandbox's last "
            f"50,000 calls {too_many}; the sender's peak RSS {peak:.0f} MB")


async def main() -> None:
    # The baseline's limiter logs every 429 it gives up on; its count is printed instead.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    port, token = _free_port(), f"7000000001:{secrets.token_urlsafe(26)}"
    base = f"http://127.0.0.1:{port}"
    sandbox = await _start_sandbox(port, token)
    try:
        async with SandboxClient(base) as client:
            with tempfile.TemporaryDirectory() as folder:
                for run in (
                    lambda: _broadcast(base, token, client, Path(folder), paid=False,
                                       count=FREE_COUNT),
                    lambda: _broadcast(base, token, client, Path(folder), paid=True,
                                       count=PAID_COUNT),
                    lambda: _baseline(base, token, client),
                ):
                    print((await run()).line(), flush=True)
                    await client.reset()
                print(await _large(base, token, client, Path(folder)), flush=True)
    finally:
        sandbox.terminate()
        with contextlib.suppress(ProcessLookupError):
            await sandbox.wait()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
