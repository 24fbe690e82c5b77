"""Hotline relay load: 200 open cases, both sides writing, on SQLite and on PostgreSQL.

Setup (not timed): 40 experts (8 per category, all on duty), 200 askers, one claimed case
each. Then a warm-up (every pair writes once each way; printed, not a result) and three
runs: paced at 100 and at 200 messages a second, and flat out. Latency is measured from the
moment the sandbox accepted a person's message (the update exists and the bot can fetch it)
to the moment the relayed copy appears in the other chat, read from the sandbox's event
stream. The sandbox, the bot (`hotline run`) and this load generator each run in a process
of their own; the peak RSS is the bot process's own (VmHWM). CPU ms per message is the bot
process's CPU time (user + system) during a run over the messages relayed in it: unlike the
latency, it hardly moves when other work shares the machine, whose load is printed beside.

PostgreSQL: a database `hotline_bench` is created afresh on HOTLINE_BENCH_POSTGRES (default
postgres@127.0.0.1:5432) and dropped afterwards; without a server, that half is skipped
with the reason. BENCH_BACKENDS=sqlite (or postgresql) runs one of them.
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

import asyncpg

from bot.app import Hotline, build_hotline
from bot.settings import load_settings
from sandbox.client import SandboxClient
from services.hotline.cases import QuestionPart
from storage.models import Role
from tests.support import free_port

CASES = 200
EXPERTS_PER_CATEGORY = 8
CATEGORIES = ["supervision", "finance", "legal", "policy", "project"]
PACED_RATES = (100, 200)  # messages a second; the aim is p99 under 25 ms at 200/s
WARM_UP_RATE = 50
PACED_SECONDS = 10
FLAT_OUT_MESSAGES = 1000
ROOT = str(Path(__file__).resolve().parent.parent)
TOKEN = "1234567:BENCHbenchBENCHbenchBENCHbench0000"
POSTGRES_SERVER = os.environ.get("HOTLINE_BENCH_POSTGRES", "postgres@127.0.0.1:5432")
BENCH_DATABASE = "hotline_bench"


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


def _cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measured(name: str, bot_pid: int, run: Any) -> None:
    cpu_before = _cpu_seconds(bot_pid)
    seconds, latencies = await run
    cpu_ms = (_cpu_seconds(bot_pid) - cpu_before) * 1000
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{name}: {len(ordered)} relayed in {seconds:.1f} s = {len(ordered) / seconds:.0f} "
          f"msg/s; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms; "
          f"bot CPU {cpu_ms / len(ordered):.2f} ms/msg; "
          f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)


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


async def _postgres_database() -> str:
    """A fresh `hotline_bench` database; raises OSError when no server answers."""
    connection = await asyncpg.connect(f"postgresql://{POSTGRES_SERVER}/postgres")
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        await connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    finally:
        await connection.close()
    return f"postgresql+asyncpg://{POSTGRES_SERVER}/{BENCH_DATABASE}"


async def _drop_postgres_database() -> None:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES_SERVER}/postgres")
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    finally:
        await connection.close()


async def main() -> None:
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                print("-- SQLite", flush=True)
                await _bench(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", folder)
            continue
        try:
            database_url = await _postgres_database()
        except (OSError, asyncpg.PostgresError) as error:
            print(f"-- PostgreSQL skipped: no server at {POSTGRES_SERVER} ({error})", flush=True)
            continue
        print(f"-- PostgreSQL ({POSTGRES_SERVER})", flush=True)
        try:
            with tempfile.TemporaryDirectory() as folder:
                await _bench(database_url, folder)
        finally:
            await _drop_postgres_database()


async def _bench(database_url: str, folder: str) -> None:
    port = free_port()
    sandbox = await _sandbox_process(port)
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        _env_file=None, bot_token=TOKEN, api_base_url=f"{base}/bot",
        api_file_base_url=f"{base}/file/bot", http_port=0, database_url=database_url,
        send_rate=1000)
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
               # The sandbox's flood limits are off: this measures the bot's own cost per
               # relayed message, so Telegram's overall budget (30 a second) is lifted.
               "HOTLINE_SEND_RATE": "1000", "PYTHONPATH": ROOT}
        bot = await _bot_process(env, folder)
        await watcher.start()
        # Every pair writes once each way first: a bot that has been running has met its
        # people (their roles, languages and cases are cached), and so is measured here.
        await _measured("warm-up (not a result)", bot.pid, _run(
            client, watcher, pairs, 0, 2 * len(pairs), WARM_UP_RATE))
        sent = 2 * len(pairs)
        for rate in PACED_RATES:
            count = rate * PACED_SECONDS
            await _measured(f"paced {rate}/s", bot.pid, _run(
                client, watcher, pairs, sent, count, rate))
            sent += count
        await _measured("flat out", bot.pid, _run(
            client, watcher, pairs, sent, FLAT_OUT_MESSAGES, None))
        # Three processes share this machine's cores: anything else running skews the
        # latencies (less the CPU per message), so the load is printed with each line.
        print(f"peak RSS of the bot process: {_peak_rss_mb(bot.pid):.0f} MB", flush=True)
    finally:
        await watcher.stop()
        await client.close()
        for process in (bot, sandbox):
            if process is not None:
                process.terminate()
                await process.wait()
