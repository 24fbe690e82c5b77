"""Courses through the real bot: list, card, register, waitlist, promotion, .ics, refusals."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.driver import buttons, person, press_data, say, wait_edit, wait_reply
from tests.trainings_support import NOW, SHANGHAI, course_plan, events_of, local


async def _open_card(sandbox: SandboxClient, user: dict, course_id: int) -> dict:
    listing = await say(sandbox, user["id"], "/trainings")
    data = f"trainings:show:{course_id}"
    assert data in [d for _, d in buttons(listing)]
    await press_data(sandbox, user["id"], listing, data)
    return await wait_reply(sandbox, user["id"], after=listing["message_id"])


async def test_register_gets_a_confirmation_and_a_calendar_in_shanghai_time(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    emma = await person(sandbox, hotline, "Emma")
    card = await _open_card(sandbox, emma, course_id)
    assert "社工考试辅导班" in card["text"] and "Places left: 2 of 2" in card["text"]
    assert "Saturday, December 5, 2026 09:00–12:00 · 区民政局三楼会议室" in card["text"]
    assert buttons(card) == [("✅ Register", f"trainings:register:{course_id}")]

    await press_data(sandbox, emma["id"], card, f"trainings:register:{course_id}")
    edited = await wait_edit(sandbox, emma["id"], card["message_id"])
    assert "✅ You are registered." in edited["text"]
    assert buttons(edited) == [("↩️ Cancel registration", f"trainings:cancel:{course_id}")]
    confirmation = await wait_reply(sandbox, emma["id"], after=card["message_id"])
    assert confirmation["text"].startswith("✅ You are registered for 社工考试辅导班")
    document = await wait_reply(sandbox, emma["id"], after=confirmation["message_id"])
    assert document["document"]["file_name"] == f"training-{course_id}.ics"
    events = events_of(await sandbox.file_bytes(document["document"]["file_id"]))
    starts = sorted(event.decoded("dtstart") for event in events)
    assert [s.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") for s in starts] == [
        "2026-12-05 09:00", "2026-12-12 14:30"]
    assert starts[0] == local(2026, 12, 5, 9)
    assert str(events[0]["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert {str(e["location"]) for e in events} == {"区民政局三楼会议室",
                                                    "https://meeting.example/abc"}
    assert await trainings.status_of(course_id, emma["id"]) == ("registered", 0)


async def test_full_course_waitlists_and_a_cancellation_promotes_the_first_in_line(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=1), None)
    ann = await person(sandbox, hotline, "Ann")
    li = await person(sandbox, hotline, "李", language="zh-hans")
    bob = await person(sandbox, hotline, "Bob")
    card = await _open_card(sandbox, ann, course_id)
    await press_data(sandbox, ann["id"], card, f"trainings:register:{course_id}")
    await wait_edit(sandbox, ann["id"], card["message_id"])

    li_card = await _open_card(sandbox, li, course_id)
    assert "名额已满，候补 0 人" in li_card["text"]
    await press_data(sandbox, li["id"], li_card, f"trainings:register:{course_id}")
    waiting = await wait_reply(sandbox, li["id"], after=li_card["message_id"])
    assert "候补名单，排第 1 位" in waiting["text"]
    bob_card = await _open_card(sandbox, bob, course_id)
    await press_data(sandbox, bob["id"], bob_card, f"trainings:register:{course_id}")
    bob_waiting = await wait_reply(sandbox, bob["id"], after=bob_card["message_id"])
    assert "number 2 on the waitlist" in bob_waiting["text"]

    # Ann gives her place back: 李 (first in line) is promoted and told, Bob moves up.
    await press_data(sandbox, ann["id"], card, f"trainings:cancel:{course_id}")
    done = await wait_reply(sandbox, ann["id"], lambda m: "cancelled" in m.get("text", ""))
    assert "Your registration for “社工考试辅导班” is cancelled." in done["text"]
    promoted = await wait_reply(sandbox, li["id"], lambda m: "有名额空出来了" in m.get("text", ""),
                                after=waiting["message_id"])
    assert "您已从候补转为正式报名 社工考试辅导班" in promoted["text"]
    calendar = await wait_reply(sandbox, li["id"], after=promoted["message_id"])
    assert calendar["document"]["file_name"] == f"training-{course_id}.ics"
    assert await trainings.status_of(course_id, li["id"]) == ("registered", 0)
    assert await trainings.status_of(course_id, bob["id"]) == ("waitlisted", 1)
    assert await trainings.status_of(course_id, ann["id"]) == ("cancelled", 0)

    mine = await say(sandbox, li["id"], "/mytrainings")
    assert "我报名的培训" in mine["text"] and "✅ 您已报名。" in mine["text"]
    assert "2026年12月5日星期六 09:00–12:00 · 区民政局三楼会议室" in mine["text"]


async def test_forged_stale_and_closed_presses_are_refused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(audience="social_workers"), None)
    resident = await person(sandbox, hotline, "Res")
    listing = await say(sandbox, resident["id"], "/trainings")

    async def alert(data: str) -> str:
        answer = await press_data(sandbox, resident["id"], listing, data, forged=True)
        return answer["answer"]["text"]

    assert await alert(f"trainings:register:{course_id}") == (
        "This course is for social workers and organisations only.")
    assert await alert("trainings:register:99999") == (
        "This course no longer exists or was cancelled.")
    assert await alert("trainings:register:x") == await alert("trainings:cancel:") != ""
    assert await alert(f"trainings:cancel:{course_id}") == (
        "You are not registered for this course.")
    assert await alert("trainings:checkin:1") == "You are not registered for this course."
    # A staff-only button pressed by a resident: refused, and nothing is cancelled.
    refused = hotline.services.texts.text("en", "auth.refused")
    assert await alert(f"trainings:cancelcourse:{course_id}") == refused
    assert (await trainings.course(course_id)).status == "open"
    # After the deadline, registration is closed.
    trainings.clock.freeze(local(2026, 12, 4, 10))
    await hotline.services.people.grant(resident["id"], Role.SOCIAL_WORKER)
    assert await alert(f"trainings:register:{course_id}") == "Registration has closed."
    assert (await trainings.registrants(course_id)) == []


async def test_exam_shows_the_countdown_and_the_prep_courses(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    trainings.exam_date = (NOW + timedelta(days=10)).astimezone(SHANGHAI).date()
    course_id = await trainings.create(course_plan(), None)
    await trainings.create(course_plan(title="财务管理", kind="financial_management"), None)
    li = await person(sandbox, hotline, "李", language="zh-hans")
    reply = await say(sandbox, li["id"], "/exam")
    assert "2026年12月3日星期四，还有 10 天" in reply["text"]
    assert f"{course_id}. 社工考试辅导班" in reply["text"] and "财务管理" not in reply["text"]
    assert buttons(reply) == [(f"📘 {course_id}. 社工考试辅导班",
                               f"trainings:show:{course_id}")]


async def test_check_in_works_only_during_the_session_window(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    emma = await person(sandbox, hotline, "Emma")
    await trainings.register(course_id, emma["id"], frozenset({"resident"}))
    first, second = (await trainings.course(course_id)).sessions

    trainings.clock.freeze(local(2026, 12, 5, 8, 40))  # 20 minutes before the first session
    mine = await say(sandbox, emma["id"], "/mytrainings")
    assert buttons(mine) == [("📍 Check in", f"trainings:checkin:{first.id}")]
    answer = await press_data(sandbox, emma["id"], mine, f"trainings:checkin:{first.id}")
    assert answer["answer"]["text"] == "Checked in: 社工考试辅导班"
    again = await press_data(sandbox, emma["id"], mine, f"trainings:checkin:{first.id}")
    assert again["answer"]["text"] == "You had already checked in: 社工考试辅导班"
    early = await press_data(sandbox, emma["id"], mine, f"trainings:checkin:{second.id}",
                             forged=True)
    assert early["answer"]["text"] == (
        "Check-in is open from 30 minutes before the session until it ends.")
    [registrant] = await trainings.registrants(course_id)
    assert registrant.attended_sessions == (1,)


async def test_a_long_list_shows_the_soonest_to_close_and_says_how_many_more(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    for day in range(16, 0, -1):  # created latest-closing first
        start = local(2026, 12, day + 5, 9)
        await trainings.create(course_plan(
            title=f"Course {day:02d}", sessions=((start, start + timedelta(hours=2), "Hall"),),
            deadline=start - timedelta(days=1)), None)
    emma = await person(sandbox, hotline, "Emma")
    listing = await say(sandbox, emma["id"], "/trainings")
    labels = [label for label, _ in buttons(listing)]
    assert len(labels) == 15 and labels[0].endswith("Course 01") and "Course 16" not in \
        listing["text"]
    assert listing["text"].endswith("…and 1 more courses, closing later; look again soon.")


async def test_a_card_that_cannot_be_refreshed_does_not_cost_the_confirmation(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    """The card's refresh failing (Telegram down for edits) used to end the press there:
    registered, but never told so nor sent the calendar file, and a second press says
    nothing new."""
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    emma = await person(sandbox, hotline, "Emma")
    card = await _open_card(sandbox, emma, course_id)
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx"],
                                    "methods": ["editMessageText"], "count": 8})
    await press_data(sandbox, emma["id"], card, f"trainings:register:{course_id}")
    confirmation = await wait_reply(sandbox, emma["id"], after=card["message_id"])
    await sandbox.configure(faults=None)
    assert confirmation["text"].startswith("✅ You are registered for 社工考试辅导班")
    document = await wait_reply(sandbox, emma["id"], after=confirmation["message_id"])
    assert document["document"]["file_name"] == f"training-{course_id}.ics"
    assert await trainings.status_of(course_id, emma["id"]) == ("registered", 0)
