"""Console pages at scale: p50/p95 per page with three years of data, on SQLite and PostgreSQL.

Seeded once with bulk inserts (30,000 cases with their messages, 2,000,000 conversation-log
rows, 5,000 ideas, 500 courses with sessions and registrations) and kept between runs: the
SQLite file in data/bench/, the PostgreSQL database `bench_console` on 127.0.0.1 (skipped,
with the reason, where none answers). The bot runs in this process against the local Bot API
sandbox; each page is fetched over HTTP by a signed-in admin, twice to warm up, then
REQUESTS times one after another. The load average is printed: the machine is shared.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select

from bot.app import build_hotline, open_database
from bot.settings import load_settings
from sandbox.client import SandboxClient
from storage.models import (
    Case,
    CaseMessage,
    ConversationEntry,
    Course,
    CourseSession,
    Expert,
    Idea,
    Registration,
    User,
    UserRole,
)
from tests.support import free_port

SEED_VERSION = 1
CASES, LOG_ROWS, IDEAS, COURSES = 30_000, 2_000_000, 5_000, 500
ASKERS, EXPERTS = 3_000, 30
MESSAGES_PER_CASE = 4
YEARS = 3
CHUNK = 20_000
REQUESTS = 20
ADMIN_ID = 900_000_001
CATEGORIES = ["supervision", "finance", "legal", "policy", "project"]
STREETS = [("太和街道", "太和社区"), ("吴井街道", "吴井社区"), ("矣六街道", "矣六社区")]
PAGES = ["/", "/?period=last_week", "/?period=this_month", "/cases", "/cases?status=closed",
         "/cases/C-2025-0100", "/roster", "/roster/experts", "/announcements", "/trainings",
         "/ideas", "/audit"]
ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "data" / "bench" / f"console-v{SEED_VERSION}.db"
POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
POSTGRES_DB = "bench_console"
TOKEN = "1234567:BENCHbenchBENCHbenchBENCHbench0000"


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _insert(database: Any, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in _chunks(rows):
        async with database.engine.begin() as connection:
            await connection.execute(insert(model.__table__), batch)
        count += len(batch)
    return count


def _people(now: datetime) -> Iterator[dict[str, Any]]:
    yield {"telegram_id": ADMIN_ID, "first_name": "Bench Admin", "locale": "en",
           "created_at": now, "last_seen_at": now, "first_contact_at": now}
    for n in range(EXPERTS + ASKERS):
        yield {"telegram_id": 1_000_000 + n, "first_name": f"Person {n}", "locale": "zh_CN",
               "created_at": now, "last_seen_at": now, "first_contact_at": now}


def _cases(rng: random.Random, start: datetime, span: float) -> Iterator[dict[str, Any]]:
    per_year: dict[int, int] = {}
    for n in range(CASES):
        created = start + timedelta(seconds=span * n / CASES)
        per_year[created.year] = per_year.get(created.year, 0) + 1
        closed = n < CASES - 40
        claimed = created + timedelta(minutes=rng.randint(1, 30))
        yield {"number": f"C-{created.year}-{per_year[created.year]:04d}",
               "asker_id": 1_000_000 + EXPERTS + rng.randrange(ASKERS),
               "category": CATEGORIES[n % len(CATEGORIES)],
               "status": "closed" if closed else ("open" if n % 2 else "offered"),
               "expert_id": 1_000_000 + rng.randrange(EXPERTS) if closed or n % 2 else None,
               "escalation_level": 1 if n % 9 == 0 else 0, "created_at": created,
               "waiting_since": created, "claimed_at": claimed if closed or n % 2 else None,
               "first_answer_at": claimed + timedelta(minutes=5) if closed else None,
               "closed_at": claimed + timedelta(hours=2) if closed else None,
               "closed_by": "expert" if closed else None,
               "rating": rng.randint(3, 5) if closed and n % 3 == 0 else None}


def _case_messages(first_id: int, start: datetime, span: float) -> Iterator[dict[str, Any]]:
    for n in range(CASES):
        created = start + timedelta(seconds=span * n / CASES)
        for m in range(MESSAGES_PER_CASE):
            yield {"case_id": first_id + n, "sender_role": "asker" if m % 2 == 0 else "expert",
                   "sender_id": 1_000_000, "source_chat_id": 1_000_000 + n % 500,
                   "source_message_id": n * MESSAGES_PER_CASE + m, "kind": "text",
                   "text": f"message {m} of case {n}", "delivery": "delivered",
                   "created_at": created + timedelta(minutes=m)}


def _log(start: datetime, span: float) -> Iterator[dict[str, Any]]:
    for n in range(LOG_ROWS):
        person = 1_000_000 + n % (EXPERTS + ASKERS)
        yield {"chat_id": person, "telegram_id": person, "direction": "in" if n % 2 else "out",
               "kind": "text", "message_id": n, "text": f"log line {n}",
               "created_at": start + timedelta(seconds=span * n / LOG_ROWS)}


def _ideas(start: datetime, span: float) -> Iterator[dict[str, Any]]:
    for n in range(IDEAS):
        created = start + timedelta(seconds=span * n / IDEAS)
        street, community = STREETS[n % len(STREETS)]
        yield {"reference": f"I-{created.year}-{n + 1:05d}",
               "author_id": 1_000_000 + EXPERTS + n % ASKERS, "title": f"Idea {n}",
               "problem": "A problem.", "solution": "A solution.", "street": street,
               "community": community, "status": "submitted" if n % 4 else "accepted",
               "published_status": "submitted" if n % 4 else "accepted",
               "created_at": created, "updated_at": created,
               "edit_until": created + timedelta(hours=1)}


def _courses(start: datetime, span: float) -> Iterator[dict[str, Any]]:
    for n in range(COURSES):
        created = start + timedelta(seconds=span * n / COURSES)
        yield {"id": n + 1, "title": f"Course {n}", "kind": "exam_prep", "capacity": 30,
               "registration_deadline": created + timedelta(days=20), "audience": "everyone",
               "status": "open", "created_at": created}


def _sessions(start: datetime, span: float) -> Iterator[dict[str, Any]]:
    for n in range(COURSES):
        first = start + timedelta(seconds=span * n / COURSES, days=21)
        for position in (1, 2):
            begins = first + timedelta(days=7 * (position - 1))
            yield {"course_id": n + 1, "position": position, "starts_at": begins,
                   "ends_at": begins + timedelta(hours=2), "place": "Room 3"}


def _registrations(now: datetime) -> Iterator[dict[str, Any]]:
    for n in range(COURSES):
        for k in range(20):
            yield {"course_id": n + 1, "telegram_id": 1_000_000 + EXPERTS + (n * 20 + k) % ASKERS,
                   "status": "registered", "requested_at": now, "updated_at": now}


async def _seed(database: Any) -> None:
    """Three years of data up to now, by bulk inserts; a no-op when already seeded."""
    async with database.session() as session:
        if (await session.execute(select(func.count()).select_from(Case))).scalar_one():
            return
    started = time.perf_counter()
    rng = random.Random(14)
    now = datetime.now(UTC)
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds() - 3600
    await _insert(database, User, _people(now))
    await _insert(database, UserRole, iter(
        [{"telegram_id": ADMIN_ID, "role": "admin", "granted_at": now}]
        + [{"telegram_id": 1_000_000 + n, "role": "expert", "granted_at": now}
           for n in range(EXPERTS)]))
    await _insert(database, Expert, ({
        "telegram_id": 1_000_000 + n, "name": f"专家{n}", "name_en": f"Expert {n}",
        "categories": CATEGORIES[n % len(CATEGORIES)], "created_at": now}
        for n in range(EXPERTS)))
    await _insert(database, Case, _cases(rng, start, span))
    async with database.session() as session:
        first_id = (await session.execute(select(func.min(Case.id)))).scalar_one()
    await _insert(database, CaseMessage, _case_messages(first_id, start, span))
    await _insert(database, ConversationEntry, _log(start, span))
    await _insert(database, Idea, _ideas(start, span))
    await _insert(database, Course, _courses(start, span))
    await _insert(database, CourseSession, _sessions(start, span))
    await _insert(database, Registration, _registrations(now))
    if database.dialect == "postgresql":
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('training_courses', 'id'), "
                f"{COURSES})")
            await connection.exec_driver_sql("ANALYZE")
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)


async def _sandbox_process(port: int) -> asyncio.subprocess.Process:
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


async def _postgres_ready() -> str | None:
    """The bench database's URL (created if missing), or None with the reason printed."""
    try:
        import asyncpg
        connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                                           timeout=5)
    except (OSError, ImportError, Exception) as error:
        print(f"  PostgreSQL skipped: {error}", flush=True)
        return None
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                          POSTGRES_DB):
            await connection.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    finally:
        await connection.close()
    return f"{POSTGRES_SERVER}/{POSTGRES_DB}"


async def _measure(name: str, database_url: str, sandbox_base: str) -> None:
    print(f"-- {name}", flush=True)
    settings = load_settings(
        _env_file=None, bot_token=TOKEN, api_base_url=f"{sandbox_base}/bot",
        api_file_base_url=f"{sandbox_base}/file/bot", http_port=0, database_url=database_url,
        admin_ids=(ADMIN_ID,))
    database = await open_database(settings)
    try:
        await _seed(database)
    finally:
        await database.close()
    hotline = await build_hotline(settings)
    await hotline.start()
    try:
        link = await hotline.services.console.issue_link(ADMIN_ID)
        base = f"http://127.0.0.1:{hotline.http_port}/console"
        token = link.rsplit("token=", 1)[1]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            # Signing in is a POST of the link's token (the link's page only shows the button).
            async with client.post(f"{base}/login", data={"token": token}) as response:
                assert response.status == 200, response.status
            for path in PAGES:
                times: list[float] = []
                for attempt in range(REQUESTS + 2):
                    started = time.perf_counter()
                    async with client.get(base + path) as response:
                        await response.read()
                        status = response.status
                    if attempt >= 2:  # the first two warm the caches
                        times.append((time.perf_counter() - started) * 1000)
                # A refused page would time only the refusal: that is no figure.
                assert status == 200, f"{path} answered {status}"
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                print(f"  {path:24} {status}  p50 {statistics.median(times):7.1f} ms  "
                      f"p95 {p95:7.1f} ms", flush=True)
    finally:
        await hotline.stop()


async def main() -> None:
    print(f"load average before: {os.getloadavg()}", flush=True)
    port = free_port()
    sandbox = await _sandbox_process(port)
    base = f"http://127.0.0.1:{port}"
    try:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        await _measure("SQLite", f"sqlite+aiosqlite:///{SQLITE_FILE}", base)
        postgres = await _postgres_ready()
        if postgres is not None:
            await _measure("PostgreSQL", postgres, base)
    finally:
        sandbox.terminate()
        await sandbox.wait()
        print(f"load average after: {os.getloadavg()}", flush=True)
