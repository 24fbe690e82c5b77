"""The console's roster and case pages in a real browser: editing the grid changes what the
bot's /duty says, a bad CSV is refused naming its line, overrides and the holiday calendar,
the case list's filters, a transcript as both sides saw it, reassign and close reaching the
sandbox chats, and the exports. Screenshots at desktop and phone widths."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.hotline.roster import WEEKDAYS
from storage.models import CaseStatus, utcnow
from storage.repositories.audit import AuditFilter
from tests.browser.console_support import console_base, sign_in, staff_member
from tests.console_ops_support import consultation
from tests.driver import labels, say, wait_reply
from tests.hotline_support import ask, expert, roster, social_worker, submit

HEADER = "telegram_id,categories,days,start,end\n"


async def duty_of(sandbox: SandboxClient, expert_id: int) -> str:
    """What /duty answers the expert now."""
    answer = await say(sandbox, expert_id, "/duty")
    return answer["text"]


def duty_day(day: date) -> str:
    """A date as /duty writes it in English: "Sun, Dec 6"."""
    return f"{day:%a, %b} {day.day}"


def on_duty(text: str, day: date, hours: str) -> bool:
    """Whether /duty's answer lists `hours` on `day`, alone ("Mon, Dec 7: 09:00–12:00 Legal")
    or inside a run of days ("Sun, Dec 6 – Sat, Dec 12: 09:00–12:00 Legal")."""
    for line in text.splitlines():
        found = re.match(r"(\w{3}, \w{3} \d+)(?: – (\w{3}, \w{3} \d+))?: (.*)", line)
        if not found or hours not in found[3]:
            continue
        first, last = (datetime.strptime(f"{part} {day.year}", "%a, %b %d %Y").date()
                       for part in (found[1], found[2] or found[1]))
        if first <= day <= last:
            return True
    return False


async def audited(hotline: Hotline, action: str) -> list[Any]:
    """The audit log's entries of one action."""
    records, _ = await hotline.services.audit.search(AuditFilter(action=action), 1, 50)
    return records


async def test_editing_the_grid_changes_duty_in_the_bot(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal,finance", name_en="Wang Wei")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00")
    today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
    column = WEEKDAYS[today.weekday()]
    assert "No shifts in the next 7 days" in await duty_of(sandbox, li["id"])
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.get_by_role("link", name="Roster", exact=True).click()
    await page.wait_for_url(f"{console_base(hotline)}/roster")

    # A new shift in today's finance cell, for Li.
    cell = page.locator(f"#cell-finance-{column}")
    await cell.locator("details.new-shift summary").click()
    await cell.locator("details.new-shift input[name=start]").fill("14:00")
    await cell.locator("details.new-shift input[name=end]").fill("18:00")
    await cell.locator("details.new-shift select[name=expert]").select_option(str(li["id"]))
    await cell.get_by_role("button", name="Add shift").click()
    await page.wait_for_url("**/console/roster?notice=*")
    assert await page.locator(".notice").inner_text() == "The roster is saved."
    assert "李娜" in await page.locator(f"#cell-finance-{column} .shift").inner_text()
    assert f"{duty_day(today)}: 14:00–18:00 Finance" in await duty_of(sandbox, li["id"])

    # Its times moved, for everyone on it.
    cell = page.locator(f"#cell-finance-{column}")
    shift = cell.locator('.shift[data-shift="14:00-18:00"]')
    await shift.locator("details.shift-edit summary").click()
    await shift.locator("input[name=new_start]").fill("15:00")
    await shift.locator("input[name=new_end]").fill("19:00")
    await shift.get_by_role("button", name="Change times").click()
    await page.wait_for_url("**/console/roster?notice=*")
    assert f"{duty_day(today)}: 15:00–19:00 Finance" in await duty_of(sandbox, li["id"])

    # Wang taken off today's legal shift: the other days stay.
    legal = page.locator(f"#cell-legal-{column}")
    scrolled = await page.evaluate("window.scrollY")
    await legal.get_by_role("button", name="Take 王伟 off this shift").click()
    # Asked first, with the working days legal would be left with nobody.
    await expect(page.locator("h1")).to_have_text("Take 王伟 off this shift?")
    calendar = await hotline.services.hotline.roster.calendar(today, today + timedelta(days=7))
    lost = [d for d in (today + timedelta(days=7 * n) for n in range(2)) if calendar.is_workday(d)]
    if lost:  # the same weekday is a working day: legal is left with nobody then
        await expect(page.locator("#remove-gaps")).to_contain_text("Legal would have nobody")
        for day in lost:
            await expect(page.locator("#remove-gaps")).to_contain_text(day.isoformat())
    else:
        await expect(page.locator("#remove-no-gaps")).to_contain_text("Legal keeps someone")
    await screenshots(page, "roster-remove-confirm")
    await page.get_by_role("button", name="Yes, take 王伟 off").click()
    await page.wait_for_url("**/console/roster?notice=*")
    # The grid comes back where it was scrolled to.
    assert await page.evaluate("window.scrollY") == scrolled
    wang_duty = await duty_of(sandbox, wang["id"])
    assert not on_duty(wang_duty, today, "09:00–12:00")
    assert on_duty(wang_duty, today + timedelta(days=1), "09:00–12:00 Legal")
    assert await page.locator(f"#cell-legal-{column} .shift").count() == 0

    # A wrong time is refused beside its field; the plan stays.
    before = await hotline.services.hotline.roster_editor.export_csv()
    cell = page.locator(f"#cell-legal-{column}")
    await cell.locator("details.new-shift summary").click()
    await cell.locator("details.new-shift input[name=start]").fill("18:00")
    await cell.locator("details.new-shift input[name=end]").fill("10:00")
    async with page.expect_response("**/console/roster/cell/add") as answer:
        await cell.get_by_role("button", name="Add shift").click()
    assert (await answer.value).status == 400
    refused = page.locator(f"#cell-legal-{column} details.new-shift")
    assert await refused.get_attribute("open") is not None
    assert "The end 10:00 must be after the start 18:00." in await refused.inner_text()
    assert await refused.locator("input[name=start]").input_value() == "18:00"
    assert await hotline.services.hotline.roster_editor.export_csv() == before
    await screenshots(page, "roster-refused-edit")

    await page.goto(f"{console_base(hotline)}/roster")
    assert "15:00–19:00 李娜" in await page.locator(f"#day-{today.isoformat()}").inner_text()
    await screenshots(page, "roster")
    await page.get_by_role("button", name="中文").click()
    await page.wait_for_url(f"{console_base(hotline)}/roster")
    assert await page.locator("h1").inner_text() == "值班表"
    assert "工作日（法定）" in await page.locator("table.roster-grid thead").inner_text()
    await screenshots(page, "roster-zh")
    assert [len(await audited(hotline, a)) for a in
            ("roster.shift_add", "roster.shift_retime", "roster.shift_remove")] == [1, 1, 1]


async def test_a_bad_csv_is_refused_with_its_line_and_the_plan_stays(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/roster")
    good = (HEADER + f"{wang['id']},legal,workdays,09:00,12:00\n"
            f"{li['id']},finance,mon;wed;fri,14:00,18:00\n")
    await page.locator("#field-file").set_input_files(
        files=[{"name": "plan.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    await page.get_by_role("button", name="Import and replace").click()
    await page.wait_for_url("**/console/roster?notice=*")
    assert "replaced the weekly plan" in await page.locator(".notice").inner_text()
    assert "王伟" in await page.locator("#cell-legal-workdays").inner_text()
    plan = await hotline.services.hotline.roster_editor.export_csv()

    bad = (HEADER + f"{wang['id']},legal,daily,08:00,09:00\n"
           f"{li['id']},legal,daily,09:00,12:00\n")
    await page.locator("#field-file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    async with page.expect_response("**/console/roster/import") as answer:
        await page.get_by_role("button", name="Import and replace").click()
    assert (await answer.value).status == 400
    refusal = await page.locator("#import-rejected").inner_text()
    assert f"Line 3: expert {li['id']} does not answer “legal”." in refusal
    assert "Nothing was changed: the roster stays as it was." in refusal
    assert await hotline.services.hotline.roster_editor.export_csv() == plan
    await screenshots(page, "roster-refused-file")

    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await info.value
    assert download.suggested_filename.startswith("roster-")
    assert (await _read(download)).decode() == plan == good
    refused = await audited(hotline, "roster.import_refused")
    assert [r.target for r in refused] == ["bad.csv"]
    assert len(await audited(hotline, "roster.export")) == 1


async def _read(download: Any) -> bytes:
    path = await download.path()
    return path.read_bytes()


async def test_overrides_and_the_holiday_calendar(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    zhao = await expert(hotline, sandbox, "赵敏", "legal", name_en="Zhao Min")
    await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00")
    tomorrow = utcnow().astimezone(hotline.services.hotline.roster.zone).date() + timedelta(
        days=1)
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/roster/overrides")
    await page.locator("#field-day").fill(tomorrow.isoformat())
    await page.locator("#field-expert").select_option(str(wang["id"]))
    await page.locator("#field-kind").select_option("off")
    await page.get_by_role("button", name="Save override").click()
    await page.wait_for_url("**/console/roster/overrides?notice=*")
    row = page.locator("table.overrides tbody tr").first
    assert "Leave" in await row.inner_text() and "王伟" in await row.inner_text()
    assert not on_duty(await duty_of(sandbox, wang["id"]), tomorrow, "09:00–12:00")

    # An extra shift with an end before its start is refused beside the field.
    await page.locator("#field-kind").select_option("on")
    await page.locator("#field-start").fill("16:00")
    await page.locator("#field-end").fill("08:00")
    async with page.expect_response("**/console/roster/overrides") as answer:
        await page.get_by_role("button", name="Save override").click()
    assert (await answer.value).status == 400
    assert "must be after the start" in await page.locator("#end-error").inner_text()
    await screenshots(page, "overrides")

    await row.get_by_role("button", name="Remove").click()
    await page.wait_for_url("**/console/roster/overrides?notice=*")
    assert "No overrides." in await page.locator("table.overrides").inner_text()
    assert on_duty(await duty_of(sandbox, wang["id"]), tomorrow, "09:00–12:00")

    # A swap: Zhao works Wang's shift tomorrow.
    await page.locator("#field-day").fill(tomorrow.isoformat())
    await page.locator("#field-expert").select_option(str(wang["id"]))
    await page.locator("#field-kind").select_option("swap")
    await page.locator("#field-replacement").select_option(str(zhao["id"]))
    await page.get_by_role("button", name="Save override").click()
    await page.wait_for_url("**/console/roster/overrides?notice=*")
    listed = await page.locator("table.overrides tbody").inner_text()
    assert "Leave" in listed and "Extra shift" in listed and "赵敏" in listed
    assert on_duty(await duty_of(sandbox, zhao["id"]), tomorrow, "09:00–12:00 Legal")
    assert not on_duty(await duty_of(sandbox, wang["id"]), tomorrow, "09:00–12:00")
    assert [len(await audited(hotline, a)) for a in
            ("roster.override_add", "roster.override_remove", "roster.override_swap")] == [
        1, 1, 1]

    await page.goto(f"{console_base(hotline)}/roster/calendar?from=2026-09-15")
    national_day = await page.locator("#special-2026-10-01").inner_text()
    assert "National Day holiday" in national_day and "do not apply" in national_day
    make_up = await page.locator("#special-2026-09-20").inner_text()
    assert "make-up working day" in make_up and "apply" in make_up
    await screenshots(page, "calendar")
    await page.goto(f"{console_base(hotline)}/roster/calendar?from=2026-12-20")
    assert "The 2027 holidays are not in the calendar yet" in await page.locator(
        "section.card .warning").inner_text()


async def test_cases_filter_transcript_reassign_and_close(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    talk = await consultation(hotline, sandbox)
    other = await social_worker(hotline, sandbox, "Olivia")
    await submit(sandbox, other, await ask(sandbox, other, "finance", "Budget lines?"))
    await wait_reply(sandbox, other["id"], "C-2026-0002")
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.get_by_role("link", name="Cases", exact=True).click()
    await page.wait_for_url(f"{console_base(hotline)}/cases")
    assert await page.locator("#case-count").inner_text() == "Cases found: 2"
    await page.locator("#field-category").select_option("legal")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/console/cases?*category=legal*")
    rows = page.locator("table.cases tbody tr")
    assert await rows.count() == 1
    assert "C-2026-0001" in await rows.first.inner_text()
    assert "王伟" in await rows.first.inner_text()
    await page.locator("#field-category").select_option("")
    await page.locator("#field-status").select_option(CaseStatus.OFFERED)
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/console/cases?*status=offered*")
    assert "C-2026-0002" in await page.locator("table.cases tbody").inner_text()
    assert await page.locator("table.cases tbody tr").count() == 1
    await screenshots(page, "cases")
    await page.get_by_role("link", name="C-2026-0002").click()
    await page.wait_for_url(f"{console_base(hotline)}/cases/C-2026-0002")
    assert "李娜 (on duty" in await page.locator("#case-offers").inner_text()
    assert "Nobody has claimed this consultation yet" in await page.locator(
        "#actions").inner_text()  # a waiting case can be moved to another category

    await page.goto(f"{console_base(hotline)}/cases/C-2026-0001")
    # One timeline: each message once, between what happened to the case.
    messages = await page.locator("#timeline .message").all_inner_texts()
    assert len(messages) == 4
    assert "How do we sign a lease?" in messages[0] and "delivered to 王伟" in messages[0]
    # The expert's answer, with the alias the asker saw it under.
    assert "Legal expert Wang" in messages[1] and "organisation's seal" in messages[1]
    assert "Photo" in messages[2]
    assert "Is a scanned copy enough?" in messages[3] and "Edit history (edits: 1)" in messages[3]
    events = await page.locator("#timeline .event").all_inner_texts()
    assert "Offered to 王伟" in events[1] and "Claimed by 王伟" in events[2]
    await screenshots(page, "case")
    await page.get_by_role("button", name="中文").click()
    await page.wait_for_url(f"{console_base(hotline)}/cases/C-2026-0001")
    assert "对话记录" in await page.locator("main").inner_text()
    await screenshots(page, "case-zh")
    await page.get_by_role("button", name="English").click()
    await page.wait_for_url(f"{console_base(hotline)}/cases/C-2026-0001")

    await page.locator("#field-expert").select_option(str(talk.zhao["id"]))
    await page.get_by_role("button", name="Reassign", exact=True).click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    assert "赵敏" in await page.locator("#case-expert").inner_text()
    told = await wait_reply(sandbox, talk.asker["id"], "now answered")
    assert told["text"] == "Your consultation C-2026-0001 is now answered by Legal expert Zhao."
    await wait_reply(sandbox, talk.zhao["id"], "yours to answer")

    async with page.expect_response("**/close") as answer:
        await page.get_by_role("button", name="Close", exact=True).click()
    assert (await answer.value).status == 400
    assert "Tick the box" in await page.locator("#confirm-error").inner_text()
    await page.get_by_label("I confirm closing this case").check()
    await page.get_by_role("button", name="Close", exact=True).click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    assert await page.locator("#case-status").inner_text() == "Closed"
    rating = await wait_reply(sandbox, talk.asker["id"], "is closed")
    assert "1★" in labels(rating)
    note = await wait_reply(sandbox, talk.zhao["id"], "Bureau staff")
    assert note["text"] == "Bureau staff have closed consultation C-2026-0001. Thank you!"
    assert await page.locator("#actions").count() == 0
    assert [len(await audited(hotline, a)) for a in ("cases.reassign", "cases.close")] == [1, 1]


async def test_exports_download_the_cases(
        hotline: Hotline, sandbox: SandboxClient, page: Any) -> None:
    await consultation(hotline, sandbox)
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/cases")
    today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download").click()
    download = await info.value
    assert download.suggested_filename == (
        f"cases-{today - timedelta(days=30)}-{today}.csv")
    rows = list(csv.reader(io.StringIO((await _read(download)).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Case number", "Category", "Status", "Asker"]
    assert [r[:4] for r in rows[1:]] == [["C-2026-0001", "Legal", "Open", "Emma"]]

    await page.locator("#field-format").select_option("xlsx")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download").click()
    sheet = load_workbook(io.BytesIO(await _read(await info.value))).active
    assert [c.value for c in sheet[2]][:4] == ["C-2026-0001", "Legal", "Open", "Emma"]
    assert sheet.auto_filter.ref == "A1:R2"

    await page.locator("#field-export_from").fill(today.isoformat())
    await page.locator("#field-export_to").fill((today - timedelta(days=2)).isoformat())
    async with page.expect_response("**/console/cases/export") as answer:
        await page.get_by_role("button", name="Download").click()
    assert (await answer.value).status == 400
    assert "before the start date" in await page.locator("#export_to-error").inner_text()
    assert len(await audited(hotline, "cases.export")) == 2
