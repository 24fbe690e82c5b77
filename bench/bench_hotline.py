"""Hotline relay load: 200 open cases, both sides writing, through the local Bot API sandbox.

Setup (not timed): 40 experts (8 per category, all on duty), 200 askers, one claimed case
each. Then a warm-up (every pair writes once each way; printed, not a result) and three
runs: paced at 50 and at 100 messages a second, and flat out. Latency is
measured from the moment the sandbox accepted a person's message (the update exists and the
bot can fetch it) to the moment the relayed copy appears in the other chat, read from the
sandbox's event stream. The sandbox, the bot (`hotline run`) and this load generator each
run in a process of their own; the peak RSS is the bot process's own (VmHWM).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import Hotline, build_hotline
from bot.settings import load_settings
from sandbox.client import SandboxClient
from services.hotline.cases import QuestionPart
from storage.models import Role
from tests.support import free_port

CASES = 200
EXPERTS_PER_CATEGORY = 8
CATEGORIES = ["supervision", "finance", "legal", "policy", "project"]
PACED_RATE = 100  # messages a second, the target
PACED_SECONDS = 10
FLAT_OUT_MESSAGES = 1000
ROOT = str(Path(__file__).resolve().parent.parent)
TOKEN = "1234567:BENCHbenchBENCHbenchBENCHbench0000"


class Watcher:
    """Follows the sandbox's events and notes when each tagged message is relayed."""

    def __init__(self, client: SandboxClient) -> None:
        self._client = client
        self.arrived: dict[str, float] = {}
        self._waiters: dict[str, asyncio.Future[float]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        seq = (await self._client.events(after=2**62))["last_seq"]
        self._task = asyncio.create_task(self._follow(seq))

    async def _follow(self, seq: int) -> None:
        while True:
            result = await self._client.events(after=seq, wait=5.0)
            now = time.perf_counter()
            for event in result["events"]:
                seq = event["seq"]
                message = event.get("message") or {}
                if event["type"] != "message" or message.get("sandbox", {}).get(
                        "direction") != "out":
                    continue
                tag = (message.get("text") or "").split(" ", 1)[0]
                if tag.startswith("m") and tag not in self.arrived:
                    self.arrived[tag] = now
                    waiter = self._waiters.pop(tag, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(now)

    async def wait(self, tag: str, timeout: float = 120.0) -> float:  # noqa: ASYNC109
        if tag in self.arrived:
            return self.arrived[tag]
        waiter = self._waiters.setdefault(tag, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(waiter, timeout)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def _setup(hotline: Hotline, client: SandboxClient) -> list[dict[str, Any]]:
    services = hotline.services
    experts: dict[str, list[int]] = {}
    lines = ["telegram_id,categories,days,start,end"]
    for category in CATEGORIES:
        for n in range(EXPERTS_PER_CATEGORY):
            user = await client.add_user(f"E{category}{n}", language_code="en")
            await client.send_text(user["id"], "/start")
            await services.hotline.experts.add(user["id"], f"Expert {n}", [category])
            experts.setdefault(category, []).append(user["id"])
            lines.append(f"{user['id']},{category},daily,00:00,24:00")
    await services.hotline.roster.import_file("\n".join(lines) + "\n")
    pairs = []
    for index in range(CASES):
        asker = await client.add_user(f"A{index}", language_code="en")
        await services.people.grant(asker["id"], Role.SOCIAL_WORKER)
        question = await client.send_text(asker["id"], f"question {index}")
        await client.wait_for_bot_message(asker["id"])  # the bot has seen it: no case yet
        category = CATEGORIES[index % len(CATEGORIES)]
        case = await services.hotline.cases.submit(asker["id"], category, [QuestionPart(
            asker["id"], question["message_id"], "text", f"question {index}", None)])
        expert_id = experts[category][(index // len(CATEGORIES)) % EXPERTS_PER_CATEGORY]
        outcome = await services.hotline.cases.claim(case.id, expert_id, frozenset({"expert"}),
                                                     False)
        assert outcome.result == "won", outcome
        claimed = await services.hotline.cases.repository.get(case.id)
        pairs.append({"asker": asker["id"], "expert": expert_id,
                      "anchor": claimed.expert_anchor_id})
    return pairs


async def _send(client: SandboxClient, watcher: Watcher, pair: dict[str, Any], number: int,
                latencies: list[float]) -> None:
    tag = f"m{number}"
    if number % 2:
        await client.send_text(pair["expert"], f"{tag} answer", reply_to=pair["anchor"])
    else:
        await client.send_text(pair["asker"], f"{tag} question")
    accepted = time.perf_counter()
    arrived = await watcher.wait(tag)
    latencies.append(max(0.0, arrived - accepted) * 1000)


async def _run(client: SandboxClient, watcher: Watcher, pairs: list[dict[str, Any]],
               first: int, count: int, rate: float | None) -> tuple[float, list[float]]:
    latencies: list[float] = []
    tasks = []
    started = time.perf_counter()
    for i in range(count):
        if rate is not None:
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        number = first + i
        tasks.append(asyncio.create_task(_send(client, watcher, pairs[number // 2 % len(pairs)],
                                               number, latencies)))
        if rate is None and len(tasks) % 50 == 0:
            await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return time.perf_counter() - started, latencies


def _report(name: str, seconds: float, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{name}: {len(ordered)} relayed in {seconds:.1f} s = {len(ordered) / seconds:.0f} "
          f"msg/s; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms",
          flush=True)


async def _sandbox_process(port: int) -> asyncio.subprocess.Process:
    """The sandbox in its own process, so that it does not share the bot's event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox", "--port", str(port), "--token", TOKEN,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    async with SandboxClient(f"http://127.0.0.1:{port}") as probe:
        for _ in range(100):
            try:
                await probe.state()
                return process
            except OSError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


async def _bot_process(env: dict[str, str], folder: str) -> asyncio.subprocess.Process:
    """`hotline run` against the sandbox, alone in its process: what is measured."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=folder, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if b"is running" not in line:
        raise RuntimeError(f"the bot did not start: {line!r}")
    return process


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main() -> None:
    port = free_port()
    sandbox = await _sandbox_process(port)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            _env_file=None, bot_token=TOKEN, api_base_url=f"{base}/bot",
            api_file_base_url=f"{base}/file/bot", http_port=0, database_url=database_url)
        client = SandboxClient(base)
        watcher = Watcher(client)
        bot = None
        try:
            # Setup in this process (through the same services and the sandbox), then the
            # measured bot starts on the same database in a process of its own.
            started = time.perf_counter()
            hotline = await build_hotline(settings)
            await hotline.start()
            try:
                pairs = await _setup(hotline, client)
            finally:
                await hotline.stop()
            print(f"setup: {CASES} claimed cases, {len(CATEGORIES) * EXPERTS_PER_CATEGORY} "
                  f"experts in {time.perf_counter() - started:.1f} s", flush=True)
            env = {**os.environ, "HOTLINE_BOT_TOKEN": TOKEN, "HOTLINE_API_BASE_URL": f"{base}/bot",
                   "HOTLINE_API_FILE_BASE_URL": f"{base}/file/bot", "HOTLINE_HTTP_PORT": "0",
                   "HOTLINE_DATABASE_URL": database_url, "HOTLINE_LOG_LEVEL": "WARNING",
                   "PYTHONPATH": ROOT}
            bot = await _bot_process(env, folder)
            await watcher.start()
            # Every pair writes once each way first: a bot that has been running has met its
            # people (their roles, languages and cases are cached), and so is measured here.
            _report("warm-up (not a result)", *await _run(client, watcher, pairs, 0,
                                                          2 * len(pairs), PACED_RATE // 2))
            sent = 2 * len(pairs)
            for rate in (PACED_RATE // 2, PACED_RATE):
                count = rate * PACED_SECONDS
                _report(f"paced {rate}/s", *await _run(client, watcher, pairs, sent, count,
                                                       rate))
                sent += count
            _report("flat out", *await _run(client, watcher, pairs, sent, FLAT_OUT_MESSAGES,
                                            None))
            print(f"peak RSS of the bot process: {_peak_rss_mb(bot.pid):.0f} MB", flush=True)
            # Three processes share this machine's cores: anything else running skews the
            # figures, so the load is printed with them.
            print(f"load average during the run: {os.getloadavg()[0]:.2f} "
                  f"on {os.cpu_count()} cores", flush=True)
        finally:
            await watcher.stop()
            await client.close()
            for process in (bot, sandbox):
                if process is not None:
                    process.terminate()
                    await process.wait()
