"""Reminders through the real bot and the real dispatcher, with a controlled clock:
at the right times in both languages, moved by a reschedule, and never twice across restarts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.trainings import REMINDER_JOB_ID
from storage.models import Role
from tests.driver import buttons, person, press_data, say, wait_reply
from tests.support import quiet_clock, settings_for
from tests.trainings_support import NOW, course_plan, local


async def _register(sandbox: SandboxClient, user: dict, course_id: int) -> None:
    """Registers through the course card, as a person would."""
    listing = await say(sandbox, user["id"], "/trainings")
    await press_data(sandbox, user["id"], listing, f"trainings:show:{course_id}")
    card = await wait_reply(sandbox, user["id"], after=listing["message_id"])
    await press_data(sandbox, user["id"], card, f"trainings:register:{course_id}")
    await wait_reply(sandbox, user["id"], lambda m: "document" in m,  # the calendar file: last
                     after=card["message_id"])


async def _reminders(sandbox: SandboxClient, user: dict) -> list[dict]:
    return [m for m in await sandbox.bot_messages(user["id"])
            if "⏰" in m.get("text", "") or "📝" in m.get("text", "")]


async def test_reminders_arrive_at_the_right_times_in_both_languages(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    assert hotline.application.job_queue.scheduler.get_job(REMINDER_JOB_ID) is not None
    trainings.clock.freeze(NOW)
    trainings.exam_date = local(2026, 12, 20, 9).date()
    course_id = await trainings.create(course_plan(), None)
    li = await person(sandbox, hotline, "李", language="zh-hans")
    emma = await person(sandbox, hotline, "Emma")
    await _register(sandbox, li, course_id)
    await _register(sandbox, emma, course_id)

    trainings.clock.freeze(local(2026, 12, 4, 8, 59))
    assert await dispatcher.dispatch_due() == 0
    trainings.clock.freeze(local(2026, 12, 4, 9, 0))
    assert await dispatcher.dispatch_due() == 2
    assert await dispatcher.dispatch_due() == 0  # claimed and sent: never again
    [zh] = await _reminders(sandbox, li)
    assert zh["text"].splitlines()[:4] == [
        "⏰ 培训提醒：还有 1天 开课", "社工考试辅导班（第 1 / 2 次课）",
        "时间：2026年12月5日星期六 09:00–12:00", "地点：区民政局三楼会议室"]
    first_session = (await trainings.course(course_id)).sessions[0].id
    assert buttons(zh) == [("🙅 这次课来不了", f"trainings:skip:{first_session}"),
                           ("取消整个课程的报名", f"trainings:quit:{course_id}")]
    [en] = await _reminders(sandbox, emma)
    assert en["text"].splitlines()[:4] == [
        "⏰ Training reminder: starts in 1 day", "社工考试辅导班 (session 1 of 2)",
        "When: Saturday, December 5, 2026 09:00–12:00", "Where: 区民政局三楼会议室"]

    trainings.clock.freeze(local(2026, 12, 5, 8, 0))
    assert await dispatcher.dispatch_due() == 2
    assert (await _reminders(sandbox, emma))[-1]["text"].startswith(
        "⏰ Training reminder: starts in 1 hour")

    # Cancelling the course (asked first) frees the place and removes Emma's reminders.
    last = (await _reminders(sandbox, emma))[-1]
    await press_data(sandbox, emma["id"], last, f"trainings:quit:{course_id}")
    asked = await wait_reply(sandbox, emma["id"], after=last["message_id"])
    await press_data(sandbox, emma["id"], asked, f"trainings:quityes:{course_id}")
    freed = await wait_reply(sandbox, emma["id"], after=asked["message_id"])
    assert freed["text"] == "All right: your place in “社工考试辅导班” is freed for the waitlist."
    rows = await trainings.reminders.reminders_of(course_id)
    assert not [r for r in rows if r.telegram_id == emma["id"] and r.state == "pending"]
    assert {(r.target, r.offset_label, r.state) for r in rows if r.telegram_id == li["id"]} >= {
        ("exam", "7d", "pending")}

    trainings.clock.freeze(local(2026, 12, 11, 14, 30))  # 1 day before session 2: only 李
    assert await dispatcher.dispatch_due() == 1
    assert "（第 2 / 2 次课）" in (await _reminders(sandbox, li))[-1]["text"]
    # The exam reminder: 7 days before the exam's morning, for the exam-prep registrants.
    trainings.clock.freeze(local(2026, 12, 13, 9, 0))
    assert await dispatcher.dispatch_due() == 1
    exam = (await _reminders(sandbox, li))[-1]
    assert exam["text"].splitlines()[0] == (
        "📝 全国社会工作者职业水平考试将于 2026年12月20日星期日 举行，还有 1周。")
    assert buttons(exam) == []
    assert len(await _reminders(sandbox, emma)) == 2


async def test_a_reschedule_moves_the_reminders_and_tells_the_registrants(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    emma = await person(sandbox, hotline, "Emma")
    staff = await person(sandbox, hotline, "Staff", role=Role.STAFF)
    await _register(sandbox, emma, course_id)

    sent = await sandbox.send_text(staff["id"],
                                   f"/training_move {course_id} 1 2026-12-06 10:00-12:30")
    ack = await wait_reply(sandbox, staff["id"], after=sent["message_id"])
    assert ack["text"] == f"Course {course_id} is changed; telling 1 registrants."
    notice = await wait_reply(sandbox, emma["id"], lambda m: "Course change" in m.get("text", ""))
    assert "Session 1 is now: Sunday, December 6, 2026 10:00–12:30 · 区民政局三楼会议室" in \
        notice["text"]
    rows = await trainings.reminders.reminders_of(course_id)
    first = sorted(r.due_at.replace(tzinfo=None) for r in rows
                   if r.target.startswith("s") and r.offset_label == "1d")[0]
    assert first == local(2026, 12, 5, 10).replace(tzinfo=None)

    trainings.clock.freeze(local(2026, 12, 4, 9, 0))  # the old "1 day before"
    assert await dispatcher.dispatch_due() == 0
    trainings.clock.freeze(local(2026, 12, 5, 10, 0))  # the new one
    assert await dispatcher.dispatch_due() == 1
    [reminder] = await _reminders(sandbox, emma)
    assert "When: Sunday, December 6, 2026 10:00–12:30" in reminder["text"]

    # A bad reschedule is refused, naming the field; nothing moves.
    sent = await sandbox.send_text(staff["id"],
                                   f"/training_move {course_id} 2 2026-12-12 18:00-17:00")
    refusal = await wait_reply(sandbox, staff["id"], after=sent["message_id"])
    assert refusal["text"] == "Sessions: session 2 ends before it starts."
    course = await trainings.course(course_id)
    assert course.sessions[1].starts_at == local(2026, 12, 12, 14, 30)


@pytest.fixture
async def bots(sandbox_server: SandboxServer, tmp_path: Path) -> AsyncIterator[list[Hotline]]:
    """Bots started and stopped by the test, all on one database; stopped at the end."""
    started: list[Hotline] = []
    yield started
    for bot in started:
        await bot.stop()


async def _start(sandbox_server: SandboxServer, tmp_path: Path, bots: list[Hotline],
                 at) -> Hotline:  # type: ignore[no-untyped-def]
    bot = await build_hotline(settings_for(sandbox_server, tmp_path), clock=quiet_clock)
    bot.services.trainings.clock.freeze(at)  # before start: the start-up run uses it
    await bot.start()
    bots.append(bot)
    return bot


async def _stop(bots: list[Hotline], bot: Hotline) -> None:
    """Stops one of the bots before the test ends (the fixture stops the others)."""
    await bot.stop()
    bots.remove(bot)


async def _registered_then_down(sandbox_server: SandboxServer, sandbox: SandboxClient,
                                tmp_path: Path, bots: list[Hotline]) -> tuple[int, dict]:
    """Emma registers for a course at NOW, then the bot stops: her reminders wait in the
    database. Returns the course's id and Emma."""
    first = await _start(sandbox_server, tmp_path, bots, NOW)
    course_id = await first.services.trainings.create(course_plan(), None)
    emma = await person(sandbox, first, "Emma")
    await _register(sandbox, emma, course_id)
    await _stop(bots, first)
    return course_id, emma


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_after_restarts(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        bots: list[Hotline]) -> None:
    course_id, emma = await _registered_then_down(sandbox_server, sandbox, tmp_path, bots)

    # Down over both "1 day" and "1 hour before"; back 30 minutes before the session: the
    # start-up run sends the nearer reminder once and drops the other.
    second = await _start(sandbox_server, tmp_path, bots, local(2026, 12, 5, 8, 30))
    reminder = await wait_reply(sandbox, emma["id"], lambda m: "⏰" in m.get("text", ""))
    assert reminder["text"].startswith("⏰ Training reminder: starts in 30 minutes")
    assert await second.services.training_reminders.dispatch_due() == 0
    await _stop(bots, second)

    third = await _start(sandbox_server, tmp_path, bots, local(2026, 12, 5, 8, 45))
    assert await third.services.training_reminders.dispatch_due() == 0
    await _stop(bots, third)
    fourth = await _start(sandbox_server, tmp_path, bots, local(2026, 12, 5, 8, 50))
    assert await fourth.services.training_reminders.dispatch_due() == 0
    assert len(await _reminders(sandbox, emma)) == 1
    states = {(r.target, r.offset_label): r.state
              for r in await fourth.services.trainings.reminders.reminders_of(course_id)}
    session_one = f"s{(await fourth.services.trainings.course(course_id)).sessions[0].id}"
    assert states[(session_one, "1h")] == "sent" and states[(session_one, "1d")] == "dropped"


async def test_after_the_session_began_a_missed_reminder_is_dropped_with_a_log_line(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        bots: list[Hotline], caplog: pytest.LogCaptureFixture) -> None:
    course_id, emma = await _registered_then_down(sandbox_server, sandbox, tmp_path, bots)

    caplog.set_level(logging.INFO, logger="services.trainings.reminders")
    later = await _start(sandbox_server, tmp_path, bots, local(2026, 12, 5, 9, 30))
    assert await later.services.training_reminders.dispatch_due() == 0
    assert await _reminders(sandbox, emma) == []
    assert any("dropped" in r.getMessage() and "began at" in r.getMessage()
               for r in caplog.records)
    rows = await later.services.trainings.reminders.reminders_of(course_id)
    assert sorted(r.state for r in rows) == ["dropped", "dropped", "pending", "pending"]
    # The second session's reminders still come, on time.
    later.services.trainings.clock.freeze(local(2026, 12, 11, 14, 30))
    assert await later.services.training_reminders.dispatch_due() == 1


async def test_notices_not_yet_sent_when_the_bot_stops_go_out_once_after_the_restart(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        bots: list[Hotline]) -> None:
    first = await _start(sandbox_server, tmp_path, bots, NOW)
    trainings = first.services.trainings
    course_id = await trainings.create(course_plan(capacity=1), None)
    ann = await person(sandbox, first, "Ann")
    li = await person(sandbox, first, "李", language="zh-hans")
    await trainings.register(course_id, ann["id"], frozenset({"resident"}))
    await trainings.register(course_id, li["id"], frozenset({"resident"}))
    # The bot goes down between the change and its notices (its scheduler held: the send
    # the change asks for never runs).
    first.application.job_queue.scheduler.pause()
    await trainings.cancel(course_id, ann["id"])
    await _stop(bots, first)
    assert [m for m in await sandbox.bot_messages(li["id"]) if "有名额" in m.get("text", "")
            ] == []

    second = await _start(sandbox_server, tmp_path, bots, NOW)
    promoted = await wait_reply(sandbox, li["id"], lambda m: "有名额空出来了" in m.get("text", ""))
    assert "您已从候补转为正式报名 社工考试辅导班" in promoted["text"]
    await wait_reply(sandbox, li["id"], lambda m: "document" in m, after=promoted["message_id"])
    assert await second.services.training_reminders.send_notices() == 0
    await _stop(bots, second)
    await _start(sandbox_server, tmp_path, bots, NOW)
    assert await bots[-1].services.training_reminders.send_notices() == 0
    told = [m for m in await sandbox.bot_messages(li["id"]) if "有名额" in m.get("text", "")]
    assert len(told) == 1


async def test_a_burst_of_reminders_never_delays_a_reply_to_a_person(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    """60 reminders due at once, with Telegram's limits on (30 a second overall, a burst of
    about 30): they take over a second to go out, and a person who writes meanwhile is
    answered at once."""
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=100), None)
    registrants = []
    for number in range(60):
        user = await sandbox.add_user(f"R{number}", language_code="en")
        await sandbox.send_text(user["id"], "/help")
        registrants.append(user)
    for user in registrants:
        await wait_reply(sandbox, user["id"])
        await trainings.register(course_id, user["id"], frozenset({"resident"}))
    writer = await person(sandbox, hotline, "Writer")
    await sandbox.configure(flood_limits=True)

    trainings.clock.freeze(local(2026, 12, 4, 9, 0))  # 1 day before session 1: all 60 due
    loop = asyncio.get_running_loop()
    started = loop.time()
    burst = asyncio.create_task(dispatcher.dispatch_due())
    await asyncio.sleep(0.3)  # let the burst get going before the person writes
    asked_at = loop.time()
    reply = await say(sandbox, writer["id"], "/help")
    answered_in = loop.time() - asked_at
    assert reply["text"].startswith("Commands")
    assert not burst.done(), "the burst ended before the person wrote: the test proves nothing"
    assert answered_in < 1.0, f"a reply waited {answered_in:.2f} s behind reminders"
    assert await burst == 60
    assert loop.time() - started >= 1.0  # the limits really held the burst back
    assert all([await _reminders(sandbox, user) for user in registrants])
    failures = [c for c in await sandbox.calls("sendMessage") if c["error_code"] == 429]
    assert failures == []  # kept under the limit, not pushed back by Telegram
