"""The console's announcement, training and idea pages in a real browser, against the real bot
and the sandbox: an announcement composed with its live preview arrives in subscribers'
chats while its progress reaches "Finished"; an idea accepted with an answer reaches its
author; a course created in the console gets a registrant through the bot; refused fields
are shown beside the field; every page is photographed at desktop and phone widths."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role, utcnow
from storage.repositories.audit import AuditFilter
from tests.browser.console_support import console_base, person, sign_in, staff_member
from tests.driver import press_data, say, wait_edit, wait_reply
from tests.ideas_helpers import resident_idea

SHANGHAI_OFFSET = timedelta(hours=8)


async def subscriber(hotline: Hotline, sandbox: SandboxClient, name: str,
                     topic: str = "policy") -> dict[str, Any]:
    user = await person(sandbox, hotline, name, role=None)
    await hotline.services.subscriptions.subscribe(user["id"], [topic])
    return user


def local_input(moment: Any) -> str:
    """A UTC moment as <input type="datetime-local"> wants it, in Shanghai time."""
    return (moment + SHANGHAI_OFFSET).strftime("%Y-%m-%dT%H:%M")


async def audited(hotline: Hotline, action: str) -> list[Any]:
    records, _total = await hotline.services.audit.search(AuditFilter(action=action), 1, 50)
    return records


async def test_an_announcement_is_previewed_confirmed_sent_and_reported(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    readers = [await subscriber(hotline, sandbox, name) for name in ("Ann", "Bo", "Cai")]
    await subscriber(hotline, sandbox, "Dai", topic="events")  # another topic: not reached
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)

    await page.goto(f"{base}/announcements/new")
    await page.select_option("#field-topic", "policy")
    await page.fill("#field-title", "Rent subsidy <2027>")
    await page.fill("#field-body", "Read <b>this</b> carefully & apply <script>x</script>.")
    preview = page.locator("#preview")
    await expect(preview).to_contain_text("Rent subsidy <2027>")
    await expect(preview.locator("b")).to_have_text(["Rent subsidy <2027>", "this"])
    await expect(preview).to_contain_text("<script>x</script>")  # shown, never run
    await expect(page.locator("#audience-count")).to_have_text("3")
    await screenshots(page, "announcement-compose")

    # A tag outside Telegram's subset is refused beside the body (the toolbar makes none);
    # written as text ("&lt;script&gt;"), the same words go out as typed.
    await page.get_by_role("button", name="Review and confirm").click()
    await expect(page.locator("#body-error")).to_contain_text("“<script>” cannot be sent")
    await page.fill("#field-body",
                    "Read <b>this</b> carefully & apply &lt;script&gt;x&lt;/script&gt;.")
    await page.get_by_role("button", name="Review and confirm").click()
    await expect(page.locator(".confirm-count")).to_have_text("It will go to 3 people.")
    await screenshots(page, "announcement-confirm")
    await page.get_by_role("button", name="Confirm and send now").click()
    await page.wait_for_url(re.compile(r".*/console/announcements/\d+\?notice=.*"))

    state = page.locator("#progress-state")
    await expect(state).to_have_attribute("data-state", "done", timeout=30_000)
    await expect(state).to_have_text("Finished")
    await expect(page.locator('[data-figure="sent"]')).to_have_text("3")
    await expect(page.locator('[data-figure="remaining"]')).to_have_text("0")
    await expect(page.locator("#cancel-box")).to_have_count(0)
    await screenshots(page, "announcement-finished")
    for reader in readers:
        message = await wait_reply(sandbox, reader["id"],
                                   lambda m: "Rent subsidy <2027>" in (m.get("text") or ""))
        assert "Read this carefully & apply <script>x</script>." in message["text"]
        before = message["text"][:message["text"].index("this")]
        offset = len(before.encode("utf-16-le")) // 2  # Telegram counts UTF-16 units
        assert {"type": "bold", "offset": offset, "length": 4} in [
            {k: e[k] for k in ("type", "offset", "length")} for e in message["entities"]]

    await page.goto(f"{base}/announcements")
    row = page.locator("tr[data-announcement]").first
    await expect(row).to_contain_text("Finished")
    await expect(row.locator("td.number")).to_have_text(["3", "3", "0", "0", "0", "0"])
    await screenshots(page, "announcements-history")
    [sent] = await audited(hotline, "announcements.send")
    assert sent.telegram_id == staff["id"] and '"recipients": 3' in sent.detail


async def test_a_scheduled_announcement_waits_and_can_be_stopped(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    reader = await subscriber(hotline, sandbox, "Ann")
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/announcements/new")
    await page.select_option("#field-topic", "policy")
    await page.fill("#field-title", "Next week")
    await page.fill("#field-body", "Later.")
    await page.check("input[name=when][value=later]")
    await page.fill("#field-send_at", local_input(utcnow() + timedelta(days=2)))
    await page.get_by_role("button", name="Review and confirm").click()
    await page.get_by_role("button", name="Confirm the schedule").click()
    state = page.locator("#progress-state")
    await expect(state).to_have_text("Scheduled")
    await expect(page.locator('[data-figure="remaining"]')).to_have_text("1")
    await page.get_by_role("button", name="Stop sending").click()
    await expect(page.locator(".notice")).to_contain_text("Stopped: what was sent stays sent")
    await expect(state).to_have_text("Stopped")
    await expect(page.locator('[data-figure="cancelled"]')).to_have_text("1")
    texts = [m.get("text") or "" for m in await sandbox.messages(reader["id"])]
    assert not any("Next week" in text for text in texts)
    assert len(await audited(hotline, "announcements.cancel")) == 1


async def test_refused_fields_are_shown_beside_the_field_and_nothing_is_sent(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    await subscriber(hotline, sandbox, "Ann")
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    await page.goto(f"{base}/announcements/new")
    await page.select_option("#field-topic", "policy")
    await page.fill("#field-title", "Too late")
    await page.fill("#field-link", "not a link")
    await page.check("input[name=when][value=later]")
    await page.fill("#field-send_at", local_input(utcnow() - timedelta(hours=1)))
    async with page.expect_response(lambda r: r.url.endswith("/review")) as answer:
        await page.get_by_role("button", name="Review and confirm").click()
    assert (await answer.value).status == 400
    await expect(page.locator("#send_at-error")).to_have_text(
        "That time has passed; choose a time in the future.")
    await expect(page.locator("#body-error")).to_have_text("This cannot be empty.")
    await expect(page.locator("#link-error")).to_contain_text("Not a web address")
    await expect(page.locator("#field-title")).to_have_value("Too late")  # kept as typed
    await screenshots(page, "announcement-refused")
    page_of_history = await hotline.services.announcements.history.page(1)
    assert page_of_history.total == 0

    await page.goto(f"{base}/trainings/new")
    await page.fill("#field-title", "Archive management")
    await page.select_option("#field-kind", "archive_management")
    await page.fill("#field-sessions", "2020-01-05 09:00-12:00 Room 301")
    await page.fill("#field-capacity", "0")
    await page.fill("#field-deadline", "2020-01-01T18:00")
    await page.get_by_role("button", name="Create the course").click()
    await expect(page.locator("#sessions-error")).to_have_text(
        "Sessions: that time is in the past; please give a future one.")
    await expect(page.locator("#capacity-error")).to_have_text(
        "Capacity: must be between 1 and 1000.")
    await screenshots(page, "training-refused")
    assert (await hotline.services.trainings.board.courses(None)).total == 0


async def test_an_idea_accepted_with_an_answer_reaches_its_author(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    author = await person(sandbox, hotline, "Liu", role=None)
    idea = await resident_idea(hotline, author["id"], "Benches at the bus stop")
    other = await resident_idea(hotline, author["id"], "Shade over the benches")
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)

    await page.goto(f"{base}/ideas?q=bus")
    await expect(page.locator("tr[data-idea]")).to_have_count(1)
    await screenshots(page, "ideas-board")
    await page.get_by_role("link", name="Benches at the bus stop").click()
    await page.select_option("#field-status", "accepted")
    await page.fill("#field-answer", "We will put up two benches <soon>.")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator(".notice")).to_have_text(
        "Saved and published; the author has been told.")
    await expect(page.locator("#idea-status")).to_have_text("Accepted")
    notice = await wait_reply(sandbox, author["id"],
                              lambda m: idea.reference in (m.get("text") or ""))
    assert "Accepted" in notice["text"]
    assert "We will put up two benches <soon>." in notice["text"]

    await page.fill("#field-note", "Check the budget with the street office.")
    await page.get_by_role("button", name="Add the note").click()
    await expect(page.locator(".timeline li.note")).to_contain_text("Check the budget")
    await page.get_by_role("button", name="Hide").click()
    await expect(page.locator("#visibility")).to_contain_text("Hidden since")
    await screenshots(page, "idea-reviewed")
    await page.get_by_role("button", name="Show again").click()
    await expect(page.locator("#visibility")).to_contain_text("shows on the public list")
    author_texts = [m.get("text") or "" for m in await sandbox.messages(author["id"])]
    assert not any("Check the budget" in text for text in author_texts)  # notes stay inside

    await page.goto(f"{base}/ideas/{other.id}")
    await page.fill("#field-original", "I-1999-0001")
    await page.get_by_role("button", name="Mark as duplicate").click()
    await expect(page.locator("#original-error")).to_contain_text("No idea has that reference")
    await page.fill("#field-original", idea.reference)
    await page.get_by_role("button", name="Mark as duplicate").click()
    await expect(page.locator(".notice")).to_contain_text("Marked as a duplicate")
    await wait_reply(sandbox, author["id"], lambda m: other.reference in (m.get("text") or ""))

    async with page.expect_download() as waiting:
        await page.goto(f"{base}/ideas")
        await page.get_by_role("link", name="Export CSV").click()
    exported = await (await waiting.value).path()
    text = exported.read_bytes().decode("utf-8-sig")
    assert idea.reference in text and "We will put up two benches <soon>." in text
    actions = {a: len(await audited(hotline, a)) for a in (
        "ideas.status", "ideas.note", "ideas.hide", "ideas.show", "ideas.duplicate",
        "ideas.export")}
    assert actions == {a: 1 for a in actions}


async def test_a_course_made_in_the_console_gets_a_registrant_through_the_bot(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    day = (utcnow() + SHANGHAI_OFFSET + timedelta(days=10)).date()
    await page.goto(f"{base}/trainings/new")
    await page.fill("#field-title", "Financial management for organisations")
    await page.select_option("#field-kind", "financial_management")
    await page.fill("#field-description", "Budgets and audits.")
    await page.fill("#field-sessions", f"{day} 09:00-12:00 Room 301\n"
                                       f"{day + timedelta(days=7)} 14:00-17:00 Room 302")
    await page.fill("#field-capacity", "20")
    await page.fill("#field-deadline", f"{day - timedelta(days=1)}T18:00")
    await page.get_by_role("button", name="Create the course").click()
    await page.wait_for_url(re.compile(r".*/console/trainings/\d+\?notice=.*"))
    course_id = int(re.search(r"/trainings/(\d+)", page.url)[1])
    await expect(page.locator("#places")).to_have_text("0 of 20 places taken, 0 waiting")

    learner = await person(sandbox, hotline, "Emma", role=Role.SOCIAL_WORKER)
    listing = await say(sandbox, learner["id"], "/trainings")
    await press_data(sandbox, learner["id"], listing, f"trainings:show:{course_id}")
    card = await wait_reply(sandbox, learner["id"], after=listing["message_id"])
    await press_data(sandbox, learner["id"], card, f"trainings:register:{course_id}")
    await wait_edit(sandbox, learner["id"], card["message_id"])

    await page.reload()
    registrant = page.locator(f'#registrants tr[data-person="{learner["id"]}"]')
    await expect(registrant).to_contain_text("Emma")
    await expect(page.locator("#places")).to_have_text("1 of 20 places taken, 0 waiting")
    await registrant.get_by_role("button", name="Mark present").first.click()
    await expect(page.locator(".notice")).to_have_text("Attendance recorded.")
    await expect(page.locator(f'#registrants tr[data-person="{learner["id"]}"] .present')
                 ).to_have_count(1)
    await screenshots(page, "training-course")

    last = max(m["message_id"] for m in await sandbox.messages(learner["id"]))
    await page.fill("#edit-title #field-value", "Financial management, 2nd round")
    await page.locator("#edit-title").get_by_role("button", name="Save").click()
    await expect(page.locator("h1")).to_contain_text("Financial management, 2nd round")
    told = await wait_reply(sandbox, learner["id"], after=last)
    assert "Financial management, 2nd round" in told["text"]

    await page.fill("#edit-capacity #field-value", "0")
    await page.locator("#edit-capacity").get_by_role("button", name="Save").click()
    await expect(page.locator("#edit-capacity .field-error")).to_have_text(
        "Capacity: must be between 1 and 1000.")

    async with page.expect_download() as waiting:
        await page.goto(f"{base}/trainings/{course_id}")
        await page.get_by_role("link", name="Export CSV").click()
    rows = (await (await waiting.value).path()).read_bytes().decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Telegram ID,Name,Telegram username,Status,Registered")
    assert "Emma" in rows[1] and ",Registered," in rows[1]

    await page.goto(f"{base}/trainings")
    await expect(page.locator(f'tr[data-course="{course_id}"]')).to_contain_text("1 / 20")
    await screenshots(page, "trainings-list")
    await page.goto(f"{base}/trainings/new")
    await screenshots(page, "training-new")
    await page.get_by_role("button", name="中文").click()
    await expect(page.locator("h1")).to_have_text("新建课程")
    await expect(page.locator("label[for=field-sessions]")).to_have_text("课次")
    await screenshots(page, "training-new-zh")
    assert {a: len(await audited(hotline, a)) for a in (
        "trainings.create", "trainings.attendance", "trainings.edit", "trainings.export")} == {
        "trainings.create": 1, "trainings.attendance": 1, "trainings.edit": 1,
        "trainings.export": 1}
