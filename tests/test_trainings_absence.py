"""A session reminder's "I can't come" skips that one session (the place is kept, that
session's reminders stop); cancelling the course is a separate, confirmed choice; the export
keeps the attendance of people who cancelled later."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.db import Database
from storage.models import Role, User
from storage.repositories.trainings import TrainingRepository
from storage.repositories.users import UserRepository
from tests.console_support import console_base, signed_in_client
from tests.driver import buttons, person, press_data, say, wait_reply
from tests.test_cli import hotline_env
from tests.test_trainings_reminders import _register, _reminders
from tests.trainings_support import NOW, course_plan, local

COURSE = "社工考试辅导班"


async def test_i_cant_come_skips_one_session_and_keeps_the_place(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=2), None)
    first, second = (await trainings.course(course_id)).sessions
    emma, li = await person(sandbox, hotline, "Emma"), await person(sandbox, hotline, "Li")
    wu = await person(sandbox, hotline, "Wu")
    for someone in (emma, li):
        await _register(sandbox, someone, course_id)
    await trainings.register(course_id, wu["id"], frozenset())  # the course is full
    assert await trainings.status_of(course_id, wu["id"]) == ("waitlisted", 1)

    trainings.clock.freeze(local(2026, 12, 4, 9, 0))  # 1 day before session 1
    assert await dispatcher.dispatch_due() == 2
    [reminder] = await _reminders(sandbox, emma)
    assert buttons(reminder) == [
        ("🙅 I can't come to this session", f"trainings:skip:{first.id}"),
        ("Cancel my registration for the course", f"trainings:quit:{course_id}")]
    assert "your place on the course stays yours" in reminder["text"]

    await press_data(sandbox, emma["id"], reminder, f"trainings:skip:{first.id}")
    noted = await wait_reply(sandbox, emma["id"], after=reminder["message_id"])
    assert noted["text"] == (
        f"Noted: you will miss session 1 of “{COURSE}” (Saturday, December 5, 2026 "
        "09:00–12:00). Your place on the course stays yours, and there are no more reminders "
        "for that session. If you cannot come to the course at all, cancel your registration "
        "with the button below.")
    assert buttons(noted) == [("↩ I can come after all", f"trainings:unskip:{first.id}"),
                              ("Cancel my registration for the course",
                               f"trainings:quit:{course_id}")]
    # The reminder's buttons went: that step is done.
    shown = {m["message_id"]: m for m in await sandbox.messages(emma["id"])}
    assert buttons(shown[reminder["message_id"]]) == []
    # Stored: an absence notice for that session; the place kept, nobody moved up.
    noted = trainings.repository.absence_notices
    assert await noted.absences(course_id) == {emma["id"]: {first.id}}
    assert await trainings.status_of(course_id, emma["id"]) == ("registered", 0)
    assert await trainings.status_of(course_id, wu["id"]) == ("waitlisted", 1)
    rows = await trainings.reminders.reminders_of(course_id)
    pending = {(r.target, r.offset_label) for r in rows
               if r.telegram_id == emma["id"] and r.state == "pending"}
    assert pending == {(f"s{second.id}", "1d"), (f"s{second.id}", "1h"), ("exam", "7d")} - \
        ({("exam", "7d")} if trainings.exam_date is None else set())

    # Emma's /mytrainings and the staff's /training_list show it.
    mine = await say(sandbox, emma["id"], "/mytrainings")
    assert "1) Saturday, December 5, 2026 09:00–12:00 · 区民政局三楼会议室\n" \
           "   🙅 you said you cannot come to this session\n2) Saturday" in mine["text"]
    staff = await person(sandbox, hotline, "Sue", role=Role.STAFF)
    sent = await sandbox.send_text(staff["id"], f"/training_list {course_id}")
    listed = await wait_reply(sandbox, staff["id"], after=sent["message_id"])
    assert f"✅ Emma ({emma['id']}), attended sessions: –\n   🙅 cannot come to sessions: 1" \
        in listed["text"]

    async with await signed_in_client(hotline, sandbox, staff["id"]) as client, \
            client.get(f"{console_base(hotline)}/trainings/{course_id}") as page:
        row = (await page.text()).split(f'data-person="{emma["id"]}"')[1].split("</tr>")[0]
    assert "🙅 Said they cannot come" in row

    # The "1 hour before" of session 1 goes to Li only.
    trainings.clock.freeze(local(2026, 12, 5, 8, 0))
    assert await dispatcher.dispatch_due() == 1
    assert len(await _reminders(sandbox, emma)) == 1
    # Pressing again (an old copy of the button) says it was noted already; nothing changes.
    await press_data(sandbox, emma["id"], reminder, f"trainings:skip:{first.id}", forged=True)
    again = await wait_reply(sandbox, emma["id"], after=mine["message_id"])
    assert again["text"] == (f"You already told us you cannot come to session 1 of “{COURSE}”; "
                             "your place on the course stays yours.")

    # Once a session has begun it is too late to say so with the button.
    trainings.clock.freeze(local(2026, 12, 5, 9, 30))
    late = await press_data(sandbox, li["id"], (await _reminders(sandbox, li))[-1],
                            f"trainings:skip:{first.id}")
    assert late["answer"] == {"text": "That session has already begun; please tell the "
                                      "organisers directly.", "show_alert": True}
    # Someone without a place, or a forged id, is refused; nothing is stored for them.
    wu_message = (await sandbox.bot_messages(wu["id"]))[-1]
    for data, refusal in ((f"trainings:skip:{second.id}",
                           "You are not registered for this course."),
                          ("trainings:skip:x1", "This button is no longer valid")):
        forged = await press_data(sandbox, wu["id"], wu_message, data, forged=True)
        assert forged["answer"]["text"].startswith(refusal)
    # A reminder sent before sessions had their own button (it names the course) skips the
    # next session.
    await press_data(sandbox, li["id"], (await _reminders(sandbox, li))[-1],
                     f"trainings:cantcome:{course_id}", forged=True)
    await wait_reply(sandbox, li["id"],
                     lambda m: m["text"].startswith("Noted: you will miss session 2"))
    noted = trainings.repository.absence_notices
    assert await noted.absences(course_id) == {emma["id"]: {first.id}, li["id"]: {second.id}}
    trainings.clock.freeze(local(2026, 12, 11, 14, 30))  # 1 day before session 2: Emma only
    assert await dispatcher.dispatch_due() == 1
    assert "(session 2 of 2)" in (await _reminders(sandbox, emma))[-1]["text"]
    people = await trainings.registrants(course_id, with_history=True)
    assert {p.telegram_id: p.absent_sessions for p in people} == {
        emma["id"]: (1,), li["id"]: (2,), wu["id"]: ()}


async def test_i_can_come_after_all_takes_the_absence_back(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    first = (await trainings.course(course_id)).sessions[0]
    emma = await person(sandbox, hotline, "Emma")
    await _register(sandbox, emma, course_id)
    trainings.clock.freeze(local(2026, 12, 4, 9, 0))
    assert await dispatcher.dispatch_due() == 1
    [reminder] = await _reminders(sandbox, emma)
    await press_data(sandbox, emma["id"], reminder, f"trainings:skip:{first.id}")
    noted = await wait_reply(sandbox, emma["id"], after=reminder["message_id"])
    await press_data(sandbox, emma["id"], noted, f"trainings:unskip:{first.id}")
    back = await wait_reply(sandbox, emma["id"], after=noted["message_id"])
    assert back["text"] == (f"Good: you are expected at session 1 of “{COURSE}” again, and "
                            "its reminders are back.")
    assert await trainings.repository.absence_notices.absences(course_id) == {}
    shown = {m["message_id"]: m for m in await sandbox.messages(emma["id"])}
    assert buttons(shown[noted["message_id"]]) == []
    trainings.clock.freeze(local(2026, 12, 5, 8, 0))  # "1 hour before" comes again
    assert await dispatcher.dispatch_due() == 1
    assert (await _reminders(sandbox, emma))[-1]["text"].startswith(
        "⏰ Training reminder: starts in 1 hour")
    # Too late once the session has begun.
    trainings.clock.freeze(local(2026, 12, 5, 9, 1))
    late = await press_data(sandbox, emma["id"], noted, f"trainings:unskip:{first.id}", forged=True)
    assert late["answer"]["text"] == ("That session has already begun; please tell the "
                                      "organisers directly.")


async def test_cancelling_the_course_from_a_reminder_asks_first(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings, dispatcher = hotline.services.trainings, hotline.services.training_reminders
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=1), None)
    emma, wu = await person(sandbox, hotline, "Emma"), await person(sandbox, hotline, "Wu")
    await _register(sandbox, emma, course_id)
    await trainings.register(course_id, wu["id"], frozenset())  # the course is full
    trainings.clock.freeze(local(2026, 12, 4, 9, 0))
    assert await dispatcher.dispatch_due() == 1
    [reminder] = await _reminders(sandbox, emma)

    await press_data(sandbox, emma["id"], reminder, f"trainings:quit:{course_id}")
    question = await wait_reply(sandbox, emma["id"], after=reminder["message_id"])
    assert question["text"].startswith(
        f"Cancel your registration for the whole course “{COURSE}”? Your place goes to the "
        "next person on the waitlist.")
    assert buttons(question) == [("Yes, cancel my registration", f"trainings:quityes:{course_id}"),
                                 ("No, keep my place", f"trainings:keep:{course_id}")]
    await press_data(sandbox, emma["id"], question, f"trainings:keep:{course_id}")
    kept = await wait_reply(sandbox, emma["id"], after=question["message_id"])
    assert kept["text"] == f"Good: your place on “{COURSE}” stays yours."
    assert await trainings.status_of(course_id, emma["id"]) == ("registered", 0)
    shown = {m["message_id"]: m for m in await sandbox.messages(emma["id"])}
    assert buttons(shown[question["message_id"]]) == []

    await press_data(sandbox, emma["id"], reminder, f"trainings:quit:{course_id}")
    question = await wait_reply(sandbox, emma["id"], after=kept["message_id"])
    await press_data(sandbox, emma["id"], question, f"trainings:quityes:{course_id}")
    freed = await wait_reply(sandbox, emma["id"], after=question["message_id"])
    assert freed["text"] == f"All right: your place in “{COURSE}” is freed for the waitlist."
    assert await trainings.status_of(course_id, emma["id"]) == ("cancelled", 0)
    assert await trainings.status_of(course_id, wu["id"]) == ("registered", 0)
    # Now without a place: both buttons refuse, nothing more is asked.
    for data in (f"trainings:quit:{course_id}", f"trainings:quityes:{course_id}"):
        refused = await press_data(sandbox, emma["id"], reminder, data, forged=True)
        assert refused["answer"]["text"] == "You are not registered for this course."


async def _course_with_history(url: str) -> None:
    """Course 1 (far ahead, so the CLI's real clock sees it open): Wang attended session 1
    and cancelled later; Zhao cancelled without attending; Li holds a place, said she will
    miss session 2."""
    database = Database(url)
    try:
        users, repository = UserRepository(database), TrainingRepository(database)
        for telegram_id, name in ((7001, "王芳"), (7002, "赵雷"), (7003, "李娜")):
            await users.ensure_exists(telegram_id, "zh_CN")
            async with database.session() as session:
                (await session.get(User, telegram_id)).first_name = name
            await repository.places.register(1, telegram_id, NOW)
        first, second = (await repository.get_course(1)).sessions
        await repository.places.record_attendance(first.id, 7001, NOW, None)
        await repository.places.record_attendance(first.id, 7003, NOW, 1)
        await repository.places.cancel(1, 7001, NOW)
        await repository.places.cancel(1, 7002, NOW)
        await repository.absence_notices.note_absence(second.id, 7003, NOW)
    finally:
        await database.close()


COURSE_FILE = """\
title = "项目管理实务"
kind = "project_management"
capacity = 30
registration_deadline = 2099-12-01T18:00:00
audience = "everyone"

[[sessions]]
start = 2099-12-05T09:00:00
end = 2099-12-05T12:00:00
place = "区社会组织孵化基地"

[[sessions]]
start = 2099-12-12T09:00:00
end = 2099-12-12T12:00:00
place = "区社会组织孵化基地"
"""


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "trainings", *args],
                          env=hotline_env(tmp_path), capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, check=False)


def test_the_export_keeps_the_attendance_of_people_who_cancelled(tmp_path: Path) -> None:
    course = tmp_path / "course.toml"
    course.write_text(COURSE_FILE, encoding="utf-8")
    assert _cli(tmp_path, "add", "--file", str(course)).returncode == 0
    asyncio.run(_course_with_history(hotline_env(tmp_path)["HOTLINE_DATABASE_URL"]))
    exported = _cli(tmp_path, "export", "1", "--format", "csv", "--locale", "en")
    assert exported.stdout == "wrote 2 registrants to training-1.csv\n", exported.stderr
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "training-1.csv").read_bytes().decode("utf-8-sig"))))
    assert [(r["Telegram ID"], r["Name"], r["Status"], r["Sessions attended"],
             r["Sessions excused"]) for r in rows] == [
        ("7003", "李娜", "Registered", "1", "2"),
        ("7001", "王芳", "Cancelled", "1", "")]
