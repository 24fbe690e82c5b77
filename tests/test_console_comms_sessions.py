"""Sessions added to or removed from an existing course in the console: checked on the
server, registrants told (with the updated calendar), reminders planned again, and each
form acting once."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_comms_support import page_tokens, post
from tests.console_support import console_base, signed_in_client
from tests.driver import person, wait_reply
from tests.trainings_support import NOW, course_plan, events_of

NOTICE_ADDED = "A session was added, now session 2"
NOTICE_REMOVED = "One session was removed. The course now has 2 sessions"


def _told(messages: list[dict], fragment: str) -> list[dict]:
    return [m for m in messages if fragment in (m.get("text") or "")]


async def _course_with_registrant(hotline: Hotline, sandbox: SandboxClient
                                  ) -> tuple[int, dict, dict]:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=5), None)
    reader = await person(sandbox, hotline, "Li", role=None)
    await trainings.register(course_id, reader["id"], frozenset())
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    return course_id, reader, staff


async def test_a_session_added_is_told_to_registrants_once_and_gets_reminders(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    course_id, reader, staff = await _course_with_registrant(hotline, sandbox)
    trainings = hotline.services.trainings
    url = f"{console_base(hotline)}/trainings/{course_id}"
    adding = {"day": "2026-12-08", "start": "18:30", "end": "20:30", "place": "Room 5"}
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, url)
        status, _, first = await post(client, f"{url}/sessions/add",
                                      {**adding, "csrf": csrf, "once": once})
        assert status == 303 and "changed_notice" in first
        status, _, again = await post(client, f"{url}/sessions/add",
                                      {**adding, "csrf": csrf, "once": once})
        assert status == 303 and "console_comms.once.done" in again
    told = await wait_reply(sandbox, reader["id"], lambda m: NOTICE_ADDED in (m.get("text") or ""))
    assert "Room 5" in told["text"] and "18:30–20:30" in told["text"]
    calendar = await wait_reply(sandbox, reader["id"], lambda m: "document" in m,
                                after=told["message_id"])
    assert len(events_of(await sandbox.file_bytes(calendar["document"]["file_id"]))) == 3
    course = await trainings.course(course_id)
    assert [s.place for s in course.sessions] == [
        "区民政局三楼会议室", "Room 5", "https://meeting.example/abc"]
    assert [s.position for s in course.sessions] == [1, 2, 3]
    added = course.sessions[1]
    targets = {r.target for r in await trainings.reminders.reminders_of(course_id)
               if r.state == "pending"}
    assert f"s{added.id}" in targets
    assert len(_told(await sandbox.messages(reader["id"]), NOTICE_ADDED)) == 1


async def test_sessions_that_break_the_course_rules_are_refused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    course_id, reader, staff = await _course_with_registrant(hotline, sandbox)
    url = f"{console_base(hotline)}/trainings/{course_id}"
    refused = [
        ({"day": "2026-11-20", "start": "09:00", "end": "10:00", "place": "R"},
         "that time is in the past"),
        ({"day": "2026-12-05", "start": "11:00", "end": "13:00", "place": "R"},
         "this overlaps session 1"),
        ({"day": "2026-12-03", "start": "09:00", "end": "10:00", "place": "R"},
         "cannot start before registration closes"),
        ({"day": "2026-12-08", "start": "10:00", "end": "09:00", "place": "R"},
         "The end must come after the start."),
        ({"day": "2026-12-08", "start": "09:00", "end": "10:00", "place": ""},
         "Please fill this in."),
    ]
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, url)
        for fields, expected in refused:
            status, page, _ = await post(client, f"{url}/sessions/add",
                                         {**fields, "csrf": csrf, "once": once})
            assert status == 400 and expected in page, (fields, expected)
        status, page, _ = await post(client, f"{url}/sessions/1/remove",
                                     {"csrf": csrf, "once": once})
        assert status == 400 and "Tick the box first" in page
    course = await hotline.services.trainings.course(course_id)
    assert len(course.sessions) == 2
    assert not _told(await sandbox.messages(reader["id"]), "Course change")


async def test_a_removed_session_is_told_and_its_reminders_go(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    course_id, reader, staff = await _course_with_registrant(hotline, sandbox)
    trainings = hotline.services.trainings
    await hotline.services.trainings.sessions.add(course_id, "2026-12-08 18:30-20:30 R5")
    first = (await trainings.course(course_id)).sessions[0]
    url = f"{console_base(hotline)}/trainings/{course_id}"
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, url)
        status, _, _ = await post(client, f"{url}/sessions/1/remove",
                                  {"csrf": csrf, "once": once, "confirm": "1"})
        assert status == 303
        status, _, again = await post(client, f"{url}/sessions/1/remove",
                                      {"csrf": csrf, "once": once, "confirm": "1"})
        assert status == 303 and "console_comms.once.done" in again
    told = await wait_reply(sandbox, reader["id"],
                            lambda m: NOTICE_REMOVED in (m.get("text") or ""))
    assert "1) " in told["text"] and "R5" in told["text"] and "三楼" not in told["text"]
    course = await trainings.course(course_id)
    assert [(s.position, s.place) for s in course.sessions] == [
        (1, "R5"), (2, "https://meeting.example/abc")]
    rows = await trainings.reminders.reminders_of(course_id)
    assert not [r for r in rows if r.target == f"s{first.id}"]
    # The last two cannot both go: a course keeps one session.
    await hotline.services.trainings.sessions.remove(course_id, 1)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, url)
        status, page, _ = await post(client, f"{url}/sessions/1/remove",
                                     {"csrf": csrf, "once": once, "confirm": "1"})
    assert status == 400 and "keeps at least one session" in page
    assert len(_told(await sandbox.messages(reader["id"]), NOTICE_REMOVED)) == 1
