"""Staff through the real bot: the /training_new dialog (checked field by field, resumed after
a restart, nothing stored half-way), the registrant list, edits, attendance, cancellation."""

from __future__ import annotations

from pathlib import Path

from bot.app import Hotline, build_hotline, build_services
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.trainings import REMINDER_JOB_ID
from services.actors import Actor
from storage.models import Role
from tests.driver import buttons, person, press_data, say, wait_reply
from tests.support import quiet_clock, settings_for
from tests.trainings_support import NOW, course_plan, local


async def answers(sandbox: SandboxClient, user: dict, text: str,
                  count: int = 1) -> list[str]:
    """Sends a message and returns the texts of the bot's `count` replies to it."""
    message = await say(sandbox, user["id"], text)
    replies = [message["text"]]
    for _ in range(count - 1):
        message = await wait_reply(sandbox, user["id"], after=message["message_id"])
        replies.append(message["text"])
    return replies


async def test_new_course_dialog_checks_every_field_and_survives_a_restart(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    settings = settings_for(sandbox_server, tmp_path)
    bot = await build_hotline(settings, clock=quiet_clock)
    bot.services.trainings.clock.freeze(NOW)
    await bot.start()
    try:
        resident = await person(sandbox, bot, "Res")
        assert (await answers(sandbox, resident, "/training_new"))[0] == (
            bot.services.texts.text("en", "auth.refused"))
        staff = await person(sandbox, bot, "Staff", role=Role.STAFF)
        first = await answers(sandbox, staff, "/training_new")
        assert first[0].startswith("New course (step 1 of 7")
        assert "What is the course title?" in first[0]
        kind = await answers(sandbox, staff, "Project management basics")
        assert "1. Social-work exam preparation" in kind[0] and "7. Other" in kind[0]
        assert (await answers(sandbox, staff, "9", 2))[0] == (
            "Kind: please reply with a number from the list.")
        await answers(sandbox, staff, "2")
        await answers(sandbox, staff, "-")
        assert (await answers(sandbox, staff, "2026-12-05 12:00-09:00 Room 1", 2))[0] == (
            "Sessions: session 1 ends before it starts.")
        assert (await answers(sandbox, staff, "2026-11-01 09:00-12:00 Room 1", 2))[0] == (
            "Sessions: that time is in the past; please give a future one.")
        assert (await answers(sandbox, staff, "next Saturday in the hall", 2))[0].startswith(
            "Sessions: line 1 is not like: 2026-12-05 09:00-12:00")
        await answers(sandbox, staff, "2026-12-05 09:00-12:00 Room 1\n"
                      "2026-12-12 09:00-12:00 https://meeting.example/x")
        assert (await answers(sandbox, staff, "0", 2))[0] == "Capacity: must be between 1 and 1000."
        assert (await answers(sandbox, staff, "thirty", 2))[0] == (
            "Capacity: please send a whole number.")
        await answers(sandbox, staff, "30")
    finally:
        await bot.stop()

    # A restart in the middle: the dialog resumes at the deadline; nothing is stored yet.
    bot = await build_hotline(settings, clock=quiet_clock)
    bot.services.trainings.clock.freeze(NOW)
    await bot.start()
    try:
        assert await bot.services.trainings.open_courses() == []
        assert (await answers(sandbox, staff, "2026-12-06 18:00", 2))[0] == (
            "Registration deadline: must not be after the first session starts.")
        assert (await answers(sandbox, staff, "2026-11-20 18:00", 2))[0] == (
            "Registration deadline: that time is in the past; please give a future one.")
        await answers(sandbox, staff, "2026-12-01 18:00")
        done = await answers(sandbox, staff, "2", 2)
        [course] = await bot.services.trainings.open_courses()
        assert done[0] == f"✅ The course is published as number {course.id}."
        assert (course.title, course.kind, course.audience, course.capacity) == (
            "Project management basics", "project_management", "social_workers", 30)
        assert [s.starts_at for s in course.sessions] == [local(2026, 12, 5, 9),
                                                          local(2026, 12, 12, 9)]
        assert course.registration_deadline == local(2026, 12, 1, 18)
        assert await bot.services.dialogs.current(staff["id"]) is None
    finally:
        await bot.stop()


async def test_list_edit_attendance_and_cancel_tell_the_registrants(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=1), None)
    staff = await person(sandbox, hotline, "Staff", role=Role.ADMIN)
    ann = await person(sandbox, hotline, "Ann <b>x</b>")
    li = await person(sandbox, hotline, "李", language="zh-hans")
    await trainings.register(course_id, ann["id"], frozenset({"resident"}))
    await trainings.register(course_id, li["id"], frozenset({"resident"}))

    listing = await answers(sandbox, staff, f"/training_list {course_id}")
    assert listing[0].splitlines()[1:] == [
        "Registered 1 of 1, waiting 1",
        f"✅ Ann <b>x</b> ({ann['id']}), attended sessions: –",
        f"⏳ 李 ({li['id']}), waiting"]
    assert (await answers(sandbox, staff, f"/training_edit {course_id} capacity 0"))[0] == (
        "Capacity: must be between 1 and 1000.")
    assert (await answers(sandbox, staff, "/training_list 12x"))[0].startswith("Usage:")

    # One more place: 李 moves up from the waitlist and is told, with her calendar file.
    raised = await answers(sandbox, staff, f"/training_edit {course_id} capacity 2")
    assert raised[0] == f"Course {course_id} is changed; telling 2 registrants."
    await wait_reply(sandbox, li["id"], lambda m: "有名额空出来了" in m.get("text", ""))
    notice = await wait_reply(sandbox, ann["id"], lambda m: "Course change" in m.get("text", ""))
    assert "The number of places is now 2." in notice["text"]

    assert (await answers(sandbox, staff, f"/training_edit {course_id} deadline 2026-12-10 18:00")
            )[0] == "Registration deadline: must not be after the first session starts."
    moved = await answers(sandbox, staff, f"/training_edit {course_id} place 2 <b>Room</b> 9")
    assert moved[0] == f"Course {course_id} is changed; telling 2 registrants."
    place = await wait_reply(sandbox, ann["id"], lambda m: "moves to" in m.get("text", ""))
    assert "Session 2 (Saturday, December 12, 2026 14:30–17:00) moves to: <b>Room</b> 9" in \
        place["text"]
    assert not [e for e in place.get("entities", []) if e["type"] == "bold" and
                place["text"][e["offset"]:].startswith("Room")]

    marked = await answers(sandbox, staff, f"/training_attend {course_id} 1 {li['id']}")
    assert marked[0] == f"Marked {li['id']} present at session 1."
    people = await trainings.registrants(course_id)
    assert [p.attended_sessions for p in people if p.telegram_id == li["id"]] == [(1,)]

    confirm = await say(sandbox, staff["id"], f"/training_cancel {course_id}")
    assert buttons(confirm) == [("⚠️ Yes, cancel the course",
                                 f"trainings:cancelcourse:{course_id}")]
    await press_data(sandbox, staff["id"], confirm, f"trainings:cancelcourse:{course_id}")
    told = await wait_reply(sandbox, li["id"], lambda m: "已取消" in m.get("text", ""))
    assert told["text"] == "❌ 很抱歉，培训课程「社工考试辅导班」已取消，相关提醒也已撤销。"
    assert (await trainings.course(course_id)).status == "cancelled"
    assert [r for r in await trainings.reminders.reminders_of(course_id)
            if r.state == "pending"] == []
    # The old confirmation pressed again (stale): refused, nothing happens.
    again = await press_data(sandbox, staff["id"], confirm, f"trainings:cancelcourse:{course_id}",
                             forged=True)
    assert again["answer"]["text"] == "This course no longer exists or was cancelled."


async def test_the_doors_send_the_notices_they_owe_and_the_command_line_only_stores_them(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    """Issue 12 item 3: a training door asks for its own notices (no edge sends them), at
    once where the bot runs; a command-line run stores them for the running bot."""
    # The dispatcher's periodic wake-up is held: only what a door asks for is sent.
    hotline.application.job_queue.scheduler.pause_job(REMINDER_JOB_ID)
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=1), None)
    ann = await person(sandbox, hotline, "Ann")
    li = await person(sandbox, hotline, "Li")
    await trainings.register(course_id, ann["id"], frozenset({"resident"}))
    await trainings.register(course_id, li["id"], frozenset({"resident"}))
    operator = Actor.command_line("ops@server")

    # The running bot's door: Li moves up and is told, with nothing else asking.
    change = await trainings.edit(operator, course_id, "capacity", "2")
    assert change.promoted == (li["id"],)
    await wait_reply(sandbox, li["id"], "A place came free", timeout=10)
    # That run (the calendar file still to send) has finished, and nothing else is owed: a
    # run still going would otherwise take the command line's notices below as its own.
    assert await hotline.services.training_reminders.send_notices() == 0

    # The command line's door (no bot there): stored as owed, sent by the running bot.
    offline = build_services(hotline.settings, hotline.services.database).trainings
    offline.clock.freeze(NOW)
    await offline.edit(operator, course_id, "place", "2 Room 9")
    assert len(await offline.notices.pending_ids()) == 2
    assert await hotline.services.training_reminders.send_notices() == 2
    told = await wait_reply(sandbox, ann["id"], "moves to")
    assert "Room 9" in told["text"]
