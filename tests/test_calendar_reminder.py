"""The yearly reminder in the staff group: from 1 December, while next year's working
calendar is unknown, once a year (recorded before it is sent, given back when it failed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import CALENDAR_REMINDER_JOB_ID, hotline_jobs, remind_calendar
from tests.support import running_hotline, staff_forum_group

# 10:00 in Shanghai on 2 December 2030: 2031 is in no package and not entered.
DECEMBER = datetime(2030, 12, 2, 2, 0, tzinfo=UTC)
NOVEMBER = datetime(2030, 11, 30, 2, 0, tzinfo=UTC)


async def test_the_staff_group_is_reminded_once(sandbox_server: SandboxServer,
                                                sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        # The daily check is one of the periodic jobs (run once a day, kept in the database).
        assert CALENDAR_REMINDER_JOB_ID in {job.key for job in hotline_jobs(hotline.services)}
        services = hotline.services
        assert await remind_calendar(services, NOVEMBER) is None
        assert await remind_calendar(services, DECEMBER) == 2031
        # notify returns once the Bot API took the message: it is in the chat already.
        (reminder,) = await sandbox.bot_messages(group["id"])
        # The group speaks the bureau's default language.
        assert reminder["text"].startswith("2031 年的工作日历尚未录入。从 2031-01-01 起")
        assert "值班表 → 节假日日历 → 2031" in reminder["text"]
        # The next days' checks send nothing more.
        assert await remind_calendar(services, DECEMBER.replace(day=3)) is None
        assert await sandbox.bot_messages(group["id"]) == [reminder]
    finally:
        await hotline.stop()


async def test_a_reminder_that_did_not_arrive_is_tried_again(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx"],
                                        "methods": ["sendMessage"], "count": 10})
        assert await remind_calendar(hotline.services, DECEMBER) is None
        assert await hotline.services.hotline.calendar.repository.reminded(2031) is None
        await sandbox.configure(faults=None)
        assert await remind_calendar(hotline.services, DECEMBER.replace(day=3)) == 2031
        (reminder,) = await sandbox.bot_messages(group["id"])
        assert "2031" in reminder["text"]
        # Once the bureau entered 2031, there is nothing to remind of in 2031's December.
        await hotline.services.hotline.calendar.import_notice(
            "date,kind,name\n2031-01-01,holiday,元旦\n", "t.csv")
        assert await remind_calendar(hotline.services, DECEMBER.replace(year=2031)) == 2032
    finally:
        await hotline.stop()
