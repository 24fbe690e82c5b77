"""Many people writing at the same moment, flood limits on: 60 and 300, idle and during a broadcast.

Each person is new and sends /help once, all at the same moment (concurrent requests to the
sandbox). Time to the answer runs from the moment the sandbox had accepted the person's message
(its answer to the send) to the moment it accepted the bot's answer (its calls log; one
machine, one clock). The bot runs in this process against a sandbox in its own process; the
broadcast (2,000 subscribers) is the bot's own delivery engine. Replies book the overall
budget ahead of broadcast traffic, so the 300 are answered at the ~29/s pace of the budget
whether a broadcast runs or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_broadcast import _free_port, _seed, _start_sandbox
from bot.app import Hotline, build_hotline
from bot.settings import load_settings
from sandbox.client import SandboxClient
from services.announcements.broadcasts import Draft
from storage.repositories.users import UserRepository

SUBSCRIBERS = 2_000
ANSWER_TIMEOUT = 120.0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _burst(client: SandboxClient, count: int, tag: str) -> str:
    people = [(await client.add_user(f"{tag}{i}", language_code="en"))["id"]
              for i in range(count)]
    sent_at: dict[int, float] = {}

    async def ask(uid: int) -> None:
        await client.send_text(uid, "/help")
        sent_at[uid] = time.time()

    await asyncio.gather(*(ask(uid) for uid in people))
    wanted = set(people)
    answered: dict[int, float] = {}
    too_many = 0
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while time.monotonic() < deadline:
        answered, too_many = {}, 0
        for call in await client.calls("sendMessage"):
            chat = int(call["params"].get("chat_id", 0) or 0)
            if chat not in wanted:
                continue
            if call["ok"]:
                answered.setdefault(chat, float(call["at"]))
            elif call["error_code"] == 429:
                too_many += 1
        if len(answered) == count:
            break
        await asyncio.sleep(0.25)
    waits = [answered[uid] - sent_at[uid] for uid in answered]
    p50 = statistics.median(waits) if waits else float("nan")
    p99 = _quantile(waits, 0.99) if waits else float("nan")
    return (f"{count} people: {len(answered)}/{count} answered; time to the answer "
            f"p50 {p50:.2f} s, p99 {p99:.2f} s, slowest {max(waits, default=0):.2f} s; "
            f"429s on these chats {too_many}")


async def _under_way(hotline: Hotline, announcement_id: int) -> None:
    """Waits until the broadcast has sent its first 60 (it is at its pace then)."""
    while True:
        if (await hotline.services.announcements.progress(announcement_id)).sent >= 60:
            return
        await asyncio.sleep(0.1)


async def main() -> None:
    port, token = _free_port(), f"7000000002:{secrets.token_urlsafe(26)}"
    base = f"http://127.0.0.1:{port}"
    sandbox = await _start_sandbox(port, token)
    try:
        async with SandboxClient(base) as client:
            subscribers = await _seed(base, token, client, SUBSCRIBERS, "S")
            with tempfile.TemporaryDirectory() as folder:
                settings = load_settings(
                    _env_file=None, bot_token=token, api_base_url=f"{base}/bot",
                    api_file_base_url=f"{base}/file/bot", http_port=0, log_level="WARNING",
                    database_url=f"sqlite+aiosqlite:///{Path(folder) / 'burst.db'}")
                hotline = await build_hotline(settings)
                await hotline.start()
                try:
                    print("idle:", flush=True)
                    print("  " + await _burst(client, 60, "Idle60-"), flush=True)
                    print("  " + await _burst(client, 300, "Idle300-"), flush=True)
                    await UserRepository(hotline.services.database).ensure_many(subscribers, "en")
                    await hotline.services.subscriptions.subscribe_many(subscribers, ["policy"])
                    record = await hotline.services.announcements.publish(Draft(
                        author_id=None, topic="policy", title="Burst bench",
                        body_html="A broadcast under way."))
                    await _under_way(hotline, record.id)
                    print(f"during a {SUBSCRIBERS}-recipient broadcast:", flush=True)
                    print("  " + await _burst(client, 60, "Busy60-"), flush=True)
                    print("  " + await _burst(client, 300, "Busy300-"), flush=True)
                    progress = await hotline.services.announcements.progress(record.id)
                    print(f"  the broadcast meanwhile: {progress.sent} sent, "
                          f"{progress.remaining} still to send (it goes on after the answers)",
                          flush=True)
                finally:
                    await hotline.stop()
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    finally:
        sandbox.terminate()
        with contextlib.suppress(ProcessLookupError):
            await sandbox.wait()
