"""The working calendar's year page in a real browser: a staff member enters a made-up
2031 from a file and one day by hand, sees where each day came from, and the page reads at
desktop and phone widths (screenshots in tests/artifacts/)."""

from __future__ import annotations

from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import utcnow
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.console_support import console_base, sign_in, staff_member

NOTICE = ("date,kind,name\n2031-01-01,holiday,元旦\n2031-01-25,holiday,春节\n"
          "2031-01-26,holiday,春节\n2031-02-08,workday,春节调休\n")


async def test_a_year_is_entered_from_a_file_and_by_hand(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    # The holiday calendar tab leads to next year's page.
    upcoming = utcnow().astimezone(hotline.services.hotline.roster.zone).year + 1
    await page.goto(f"{console_base(hotline)}/roster/calendar")
    await page.get_by_role("link", name=f"{upcoming}: view and edit").click()
    await page.wait_for_url(f"**/console/roster/calendar/{upcoming}")
    await page.goto(f"{console_base(hotline)}/roster/calendar/2031")
    assert "not entered yet" in await page.locator("#year-source").inner_text()

    await page.locator("#field-file").set_input_files(
        files=[{"name": "notice-2031.csv", "mimeType": "text/csv", "buffer": NOTICE.encode()}])
    await page.get_by_role("button", name="Replace the year").click()
    await page.wait_for_url("**/console/roster/calendar/2031?notice=*")
    assert "replaced the year whole" in await page.locator(".notice").inner_text()
    row = await page.locator("#day-2031-02-08").inner_text()
    assert "春节调休" in row and "entered by the bureau" in row and "notice-2031.csv" in row

    await page.locator("#field-day").fill("2031-01-27")
    await page.locator("#field-kind").select_option("holiday")
    await page.locator("#field-name").fill("春节")
    await page.get_by_role("button", name="Save the day").click()
    await page.wait_for_url("**/console/roster/calendar/2031?notice=*")
    by_hand = await page.locator("#day-2031-01-27").inner_text()
    assert "春节" in by_hand and "entered on this page" in by_hand
    # A weekday as a make-up working day is refused beside the field.
    await page.locator("#field-day").fill("2031-02-12")
    await page.locator("#field-kind").select_option("workday")
    await page.locator("#field-name").fill("调休")
    async with page.expect_response("**/console/roster/calendar/2031/days") as answer:
        await page.get_by_role("button", name="Save the day").click()
    assert (await answer.value).status == 400
    assert "Saturday or Sunday" in await page.locator("#day-error").inner_text()
    await screenshots(page, "calendar-year")
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.set_viewport_size(DESKTOP)

    await page.locator("#day-2031-01-27").get_by_role("button", name="Remove").click()
    await page.wait_for_url("**/console/roster/calendar/2031?notice=*")
    assert await page.locator("#day-2031-01-27").count() == 0
    year = await hotline.services.hotline.calendar.year(2031)
    assert [d.day.isoformat() for d in year.days] == [
        "2031-01-01", "2031-01-25", "2031-01-26", "2031-02-08"]
