"""Periodic jobs run once per period: after a restart, with several processes, on a clock the
test controls (SQLite files and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxConfig, SandboxServer
from scheduler.hotline import WEEKLY_REPORT_JOB_ID
from services.periodic import PeriodicJob, PeriodicJobs, Schedule
from storage.db import Database
from storage.repositories.scheduled_runs import ScheduledRunRepository
from tests.support import bot_idle, settings_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
ADMIN_ID = 700_001


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_latest_due_time_of_each_schedule() -> None:
    weekly = Schedule("week", time(9, 0), weekday=0)
    assert weekly.latest(MONDAY_0900 + timedelta(hours=2), SHANGHAI) == MONDAY_0900
    assert weekly.latest(MONDAY_0900, SHANGHAI) == MONDAY_0900
    assert weekly.latest(MONDAY_0900 - timedelta(minutes=1), SHANGHAI) == (
        MONDAY_0900 - timedelta(days=7))
    assert weekly.latest(MONDAY_0900 + timedelta(days=6), SHANGHAI) == MONDAY_0900
    daily = Schedule("day", time(3, 30))
    assert daily.latest(MONDAY_0900, SHANGHAI) == datetime(2026, 12, 7, 3, 30, tzinfo=SHANGHAI)
    assert daily.latest(datetime(2026, 12, 7, 3, 0, tzinfo=SHANGHAI), SHANGHAI) == (
        datetime(2026, 12, 6, 3, 30, tzinfo=SHANGHAI))
    hourly = Schedule("hour", time(0, 5))
    assert hourly.latest(datetime(2026, 12, 7, 9, 4, tzinfo=SHANGHAI), SHANGHAI) == (
        datetime(2026, 12, 7, 8, 5, tzinfo=SHANGHAI))


def _jobs(database: Database, clock: Clock, ran: list[str]) -> PeriodicJobs:
    async def report(due: datetime) -> str:
        await asyncio.sleep(0)  # let a racing process run its claim meanwhile
        ran.append(f"report {due.isoformat()}")
        return "sent"

    async def retention(due: datetime) -> str:
        ran.append(f"retention {due.isoformat()}")
        return "deleted"

    return PeriodicJobs(ScheduledRunRepository(database), "Asia/Shanghai", [
        PeriodicJob("report", Schedule("week", time(9, 0)), report,
                    late_limit=timedelta(hours=15), retry_on_failure=False),
        PeriodicJob("retention", Schedule("day", time(3, 30)), retention),
    ], clock=clock)


async def test_missed_runs_catch_up_once_and_never_twice(database: Database) -> None:
    ran: list[str] = []
    clock = Clock(MONDAY_0900 + timedelta(hours=2))  # down at 09:00 and at 03:30
    other = Database(database.url)  # a second process on the same database
    try:
        first, second = _jobs(database, clock, ran), _jobs(other, clock, ran)
        results = await asyncio.gather(first.run_due(), second.run_due())
        assert sorted(results[0] + results[1]) == ["report", "retention"]
        assert sorted(ran) == ["report 2026-12-07T09:00:00+08:00",
                               "retention 2026-12-07T03:30:00+08:00"]
        restarted = _jobs(other, clock, ran)
        assert await restarted.run_due() == []
        clock.now += timedelta(hours=3)
        assert await first.run_due() == [] and await restarted.run_due() == []
        # Down from that Monday's noon to the next Tuesday, 10:00: the next Monday's report
        # is a day late, not worth sending; retention runs once, not once per missed day.
        clock.now = MONDAY_0900 + timedelta(days=8, hours=1)
        assert await _jobs(database, clock, ran).run_due() == ["retention"]
        assert ran[-1] == "retention 2026-12-15T03:30:00+08:00"
        runs = await ScheduledRunRepository(database).runs("report")
        assert [(r.period, r.outcome) for r in runs] == [("2026-12-07T09:00+0800", "sent")]
        assert runs[0].runner in (first.runner, second.runner)
        assert runs[0].finished_at is not None
    finally:
        await other.close()


async def test_a_run_abandoned_by_a_dead_process_is_taken_over(database: Database) -> None:
    ran: list[str] = []
    clock = Clock(MONDAY_0900 + timedelta(minutes=1))
    repository = ScheduledRunRepository(database)
    # A process claimed the report and died before finishing it.
    assert await repository.claim("report", "2026-12-07T09:00+0800", "dead:1",
                                  clock.now - timedelta(minutes=1),
                                  clock.now - timedelta(hours=1)) == "claimed"
    assert await _jobs(database, clock, ran).run_due() == ["retention"]  # still "running"
    clock.now += timedelta(minutes=40)
    assert await _jobs(database, clock, ran).run_due() == ["report"]
    assert ran[-1] == "report 2026-12-07T09:00:00+08:00"


async def test_a_failed_purge_is_tried_again_a_failed_report_is_not(database: Database) -> None:
    attempts: list[str] = []

    async def failing(_due: datetime) -> str:
        attempts.append("x")
        raise RuntimeError("database went away")

    clock = Clock(MONDAY_0900 + timedelta(minutes=1))
    jobs = PeriodicJobs(ScheduledRunRepository(database), "Asia/Shanghai", [
        PeriodicJob("purge", Schedule("hour", time(0, 0)), failing),
        PeriodicJob("report", Schedule("week", time(9, 0)), failing, retry_on_failure=False),
    ], clock=clock)
    assert await jobs.run_due() == ["report"]  # recorded as run, with the failure
    assert await jobs.run_due() == []
    assert len(attempts) == 3  # the purge twice, the report once
    runs = await ScheduledRunRepository(database).runs("report")
    assert runs[0].outcome == "failed: RuntimeError"


async def _reports(client: SandboxClient) -> list[dict]:
    return [m for m in await client.bot_messages(ADMIN_ID)
            if (m.get("text") or "").startswith("热线周报")]  # their language: not yet known


async def test_two_bots_down_at_nine_send_one_weekly_report_on_start(
        sandbox_server: SandboxServer, database_url: str, tmp_path: Path) -> None:
    """Two bot processes on one database, both started on Monday at 11:00 (they were down at
    09:00): the admin gets last week's report once; a restart later that day sends nothing."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    second_server = SandboxServer(host="127.0.0.1", port=0, config=SandboxConfig())
    await second_server.start()
    clock = Clock(MONDAY_0900 + timedelta(hours=2))
    bots: list[Hotline] = []
    try:
        clients = []
        for server in (sandbox_server, second_server):
            client = SandboxClient(server.base_url)
            await client.__aenter__()
            clients.append(client)
            await client.add_user("Admin", language_code="en", user_id=ADMIN_ID)
            await client.send_text(ADMIN_ID, "/help")  # the admin has a chat with the bot
            settings = settings_for(server, tmp_path, database_url=database_url,
                                    admin_ids=(ADMIN_ID,))
            bots.append(await build_hotline(settings, clock=clock))
        await asyncio.gather(*(bot.start() for bot in bots))
        for bot in bots:
            await bot_idle(bot)
        reports = [await _reports(client) for client in clients]
        assert sorted(len(r) for r in reports) == [0, 1]
        report = (reports[0] or reports[1])[0]
        assert "2026-11-30 至 2026-12-06" in report["text"]  # last week, Monday to Sunday
        for bot in bots:
            await bot.stop()
        bots.clear()

        clock.now += timedelta(hours=4)
        restarted = await build_hotline(
            settings_for(sandbox_server, tmp_path, database_url=database_url,
                         admin_ids=(ADMIN_ID,)), clock=clock)
        bots.append(restarted)
        await restarted.start()
        await bot_idle(restarted)
        assert [len(await _reports(client)) for client in clients] == [len(r) for r in reports]
        runs = await ScheduledRunRepository(restarted.services.database).runs(
            WEEKLY_REPORT_JOB_ID)
        assert [(r.period, r.outcome) for r in runs] == [
            ("2026-12-07T09:00+0800", "sent to 1 admins")]
        for client in clients:
            await client.__aexit__(None, None, None)
    finally:
        for bot in bots:
            await bot.stop()
        await second_server.stop()
