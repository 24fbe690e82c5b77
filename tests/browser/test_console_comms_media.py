"""In a real browser: a photo attached to an announcement composed in the console reaches
subscribers as a photo with the message as its caption (kept, not uploaded again, when going
back to edit); a session added to a course from its
page reaches the registrant."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.browser.console_support import console_base, person, sign_in, staff_member
from tests.console_comms_support import tiny_png
from tests.driver import wait_reply
from tests.support import running_hotline
from tests.trainings_support import NOW, course_plan


async def test_a_photo_composed_in_the_console_reaches_subscribers_with_its_caption(
        sandbox_server: SandboxServer, sandbox: SandboxClient, page: Any, screenshots: Any,
        tmp_path: Any) -> None:
    storage = await sandbox.create_group("Hotline attachments", is_forum=False)
    hotline = await running_hotline(sandbox_server, tmp_path, media_chat_id=storage["id"])
    try:
        await _photo_reaches_subscribers(hotline, sandbox, page, screenshots, tmp_path)
    finally:
        await hotline.stop()


async def _photo_reaches_subscribers(hotline: Hotline, sandbox: SandboxClient, page: Any,
                                     screenshots: Any, tmp_path: Any) -> None:
    readers = [await person(sandbox, hotline, name, role=None) for name in ("Ann", "Bo")]
    for reader in readers:
        await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    photo = tmp_path / "poster.png"
    photo.write_bytes(tiny_png())

    await page.goto(f"{console_base(hotline)}/announcements/new")
    await page.select_option("#field-topic", "policy")
    await page.fill("#field-title", "Winter heating")
    await page.fill("#field-body", "Heating starts on <b>1 December</b>.")
    await page.set_input_files("#field-photo", str(photo))
    await expect(page.locator("#audience-count")).to_have_text("2")
    await page.get_by_role("button", name="Review and confirm").click()
    await expect(page.locator("#confirm-attachment")).to_have_text(
        "With the photo: poster.png")
    # Back to the form and on again: the photo stays attached without a second upload.
    await page.get_by_role("button", name="Back to edit").click()
    await expect(page.locator("#kept-attachment")).to_contain_text("poster.png")
    await screenshots(page, "announcement-compose-photo")
    await page.get_by_role("button", name="Review and confirm").click()
    await expect(page.locator("#confirm-attachment")).to_have_text(
        "With the photo: poster.png")
    await screenshots(page, "announcement-confirm-photo")
    await page.get_by_role("button", name="Confirm and send now").click()
    await page.wait_for_url(re.compile(r".*/console/announcements/\d+\?notice=.*"))
    await expect(page.locator("#progress-state")).to_have_attribute("data-state", "done",
                                                                    timeout=30_000)

    # Uploaded to the storage chat (and deleted there), never into the staff member's chat.
    assert not [m for m in await sandbox.messages(staff["id"]) if "photo" in m]
    assert len(await sandbox.calls("deleteMessage")) == 1
    file_id = None
    for reader in readers:
        received = await wait_reply(sandbox, reader["id"], lambda m: "photo" in m)
        file_id = file_id or received["photo"][-1]["file_id"]
        assert received["photo"][-1]["file_id"] == file_id
        assert "Winter heating" in received["caption"]
        assert "Heating starts on 1 December." in received["caption"]
        assert len([m for m in await sandbox.messages(reader["id"]) if "photo" in m]) == 1
    assert (await hotline.services.announcements.history.page(1)).total == 1


async def test_a_session_added_on_the_course_page_reaches_the_registrant(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=5), None)
    reader = await person(sandbox, hotline, "Li", role=None)
    await trainings.register(course_id, reader["id"], frozenset())
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])

    await page.goto(f"{console_base(hotline)}/trainings/{course_id}")
    form = page.locator("#add-session")
    await form.get_by_label("Day").fill("2026-12-19")
    await form.get_by_label("Start").fill("09:00")
    await form.get_by_label("End").fill("11:30")
    await form.get_by_label("Place or online meeting link").fill("Room 7")
    await form.get_by_role("button", name="Add and tell registrants").click()
    await expect(page.locator(".notice")).to_be_visible()
    await expect(page.locator("table").first).to_contain_text("Room 7")
    await screenshots(page, "course-session-added")
    told = await wait_reply(sandbox, reader["id"],
                            lambda m: "A session was added" in (m.get("text") or ""))
    assert "now session 3" in told["text"] and "Room 7" in told["text"]
