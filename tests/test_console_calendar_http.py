"""The working calendar's year page over real HTTP: staff enter a year day by day or from a
file, refusals name the line and change nothing, forms act once, everything is audited; the
roster's file import refuses a file with only its header unless emptying is ticked."""

from __future__ import annotations

import json
from datetime import date

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.hotline.calendar import ENTERED, FALLBACK
from storage.models import Role, utcnow
from storage.repositories.audit import AuditFilter
from tests.console_comms_support import multipart, page_tokens, post
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    press_sign_in,
    signed_in_client,
)
from tests.driver import person
from tests.hotline_support import expert, roster

# Made-up days of a year no package knows (tests build their own notices).
NOTICE = ("date,kind,name\n2030-12-28,workday,元旦调休\n2031-01-01,holiday,元旦\n"
          "2031-01-27,holiday,春节\n2031-01-28,holiday,春节\n2031-02-08,workday,春节调休\n")
CSV = "text/csv"


async def audited(hotline: Hotline, action: str) -> list[tuple[str, dict]]:
    """(target, detail) of the audit rows of an action, newest first."""
    rows, _total = await hotline.services.audit.search(AuditFilter(action=action), 1, 50)
    return [(row.target, json.loads(row.detail or "{}")) for row in rows]


async def test_staff_enter_a_year_day_by_day_and_from_a_file(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    base = console_base(hotline) + "/roster/calendar/2031"
    calendar = hotline.services.hotline.calendar
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(base) as response:
            page = await response.text()
            assert response.status == 200
        assert "The 2031 notice is not entered yet" in page
        csrf, once = await page_tokens(client, base)

        # Checked field by field: nothing is stored from a refused form.
        status, page, _ = await post(client, base + "/days", {
            "csrf": csrf, "once": once, "day": "2031-02-12", "kind": "workday", "name": "调休"})
        assert status == 400 and "a make-up working day is a Saturday or Sunday" in page
        status, page, _ = await post(client, base + "/days", {
            "csrf": csrf, "once": once, "day": "2032-01-01", "kind": "holiday", "name": "元旦"})
        assert status == 400 and "The date is not in 2031" in page
        status, page, _ = await post(client, base + "/days", {
            "csrf": csrf, "once": once, "day": "2031-01-01", "kind": "day-off", "name": ""})
        assert status == 400 and 'id="kind-error"' in page and 'id="name-error"' in page
        assert (await calendar.year(2031)).source == FALLBACK

        day = {"csrf": csrf, "once": once, "day": "2031-02-08", "kind": "workday",
               "name": "春节调休"}
        status, _, location = await post(client, base + "/days", day)
        assert status == 303 and location.startswith("/console/roster/calendar/2031?notice=")
        # The same form sent again (a double click, a reload) acts once.
        status, _, location = await post(client, base + "/days", day)
        assert status == 303 and "console_comms.once.done" in location
        assert len(await audited(hotline, "calendar.day_set")) == 1
        async with client.get(base) as response:
            page = await response.text()
        assert "The bureau has entered the 2031 notice" in page
        assert 'id="day-2031-02-08"' in page and "春节调休" in page

        # A whole year from a file, refused whole when a line is wrong.
        csrf, once = await page_tokens(client, base)
        bad = NOTICE + "2031-02-30,holiday,春节\n"
        status, page, _ = await post(client, base + "/import", multipart(
            {"csrf": csrf, "once": once}, {"file": ("notice.csv", bad.encode(), CSV)}))
        assert status == 400 and 'id="import-rejected"' in page
        assert "Line 7:" in page and "“2031-02-30” is not a date like 2027-01-01." in page
        status, page, _ = await post(client, base + "/import", multipart(
            {"csrf": csrf, "once": once},
            {"file": ("2032.csv", b"date,kind,name\n2032-01-01,holiday,x\n", CSV)}))
        assert status == 400 and "The file is the 2032 notice, not 2031" in page
        assert [d.day for d in (await calendar.year(2031)).days] == [date(2031, 2, 8)]
        refused = await audited(hotline, "calendar.import_refused")
        assert [(target, d["line"], d["reason"]) for target, d in refused] == [
            ("2032.csv", 0, "wrong_year"), ("notice.csv", 7, "bad_date")]

        status, _, location = await post(client, base + "/import", multipart(
            {"csrf": csrf, "once": once}, {"file": ("notice-2031.csv", NOTICE.encode(), CSV)}))
        assert status == 303 and "console_calendar.imported" in location
        year = await calendar.year(2031)
        assert year.source == ENTERED
        assert [(d.day.isoformat(), d.name, d.origin) for d in year.days][:2] == [
            ("2030-12-28", "元旦调休", "notice-2031.csv"),
            ("2031-01-01", "元旦", "notice-2031.csv")]
        (_, imported), = await audited(hotline, "calendar.import")
        assert (imported["holidays"], imported["workdays"], imported["replaced"]) == (3, 2, 1)

        # Removing a day makes it ordinary again.
        csrf, once = await page_tokens(client, base)
        status, _, location = await post(client, base + "/remove", {
            "csrf": csrf, "once": once, "day": "2031-01-28"})
        assert status == 303 and "console_calendar.removed" in location
        assert date(2031, 1, 28) not in {d.day for d in (await calendar.year(2031)).days}
        assert (await audited(hotline, "calendar.day_remove"))[0][0] == "2031-01-28"

        # The week on the roster page names the source of every day.
        async with client.get(console_base(hotline) + "/roster") as r:
            week = (await r.text()).split('id="day-', 1)[1]
        assert week.count('class="badge source-') + week.count('class="badge unknown"') == 7
        # The coming days say where each came from.
        async with client.get(console_base(hotline) + "/roster/calendar?from=2031-01-20") as r:
            page = await r.text()
        assert 'id="special-2031-01-27"' in page and "entered by the bureau" in page
        async with client.get(console_base(hotline) + "/roster/calendar?from=2026-09-25") as r:
            assert "built-in calendar" in await r.text()
        async with client.get(console_base(hotline) + "/roster/calendar/1999") as r:
            assert r.status == 404 and "2000 to 2100" in await r.text()


async def test_refusals_change_nothing(hotline: Hotline, sandbox: SandboxClient) -> None:
    base = console_base(hotline) + "/roster/calendar/2031"
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, base)
        form = {"once": once, "day": "2031-01-01", "kind": "holiday", "name": "元旦"}
        for path in ("/days", "/remove", "/import"):
            for token in ({}, {"csrf": "forged"}):
                status, _, _ = await post(client, base + path, {**form, **token})
                assert status == 403, path
        # A forged one-time token: the form is refused, nothing happens.
        status, _, _ = await post(client, base + "/days", {**form, "csrf": csrf,
                                                           "once": "forged"})
        assert status == 400
    social = await person(sandbox, hotline, "Zhou", role=Role.SOCIAL_WORKER)
    async with http_client() as client:
        await press_sign_in(client, await hotline.services.console.issue_link(social["id"]))
        async with client.get(base) as response:
            assert response.status == 403
    async with http_client() as client, client.get(base, allow_redirects=False) as response:
        assert response.status == 401
    assert (await hotline.services.hotline.calendar.year(2031)).source == FALLBACK
    assert await audited(hotline, "calendar.day_set") == []


async def test_the_console_reminds_while_next_year_is_unknown(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    """From 1 December the dashboard and the calendar pages say that next year is missing,
    until it is entered."""
    calendar = hotline.services.hotline.calendar
    today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
    due = await calendar.unknown_next_year(today)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        for path in ("/", "/roster/calendar"):
            async with client.get(console_base(hotline) + path) as response:
                page = await response.text()
            assert ('id="calendar-reminder"' in page) == (due is not None), path
        if due is None:
            return
        assert f"The {due} working calendar is not entered yet" in page
        await calendar.import_notice(f"date,kind,name\n{due}-01-01,holiday,元旦\n", "t.csv")
        async with client.get(console_base(hotline) + "/") as response:
            assert 'id="calendar-reminder"' not in await response.text()


async def test_a_roster_file_with_only_its_header_is_refused_unless_emptying_is_ticked(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00")
    url = console_base(hotline) + "/roster"
    header = b"telegram_id,categories,days,start,end\n"
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(url) as response:
            csrf = csrf_of(await response.text())
        status, page, _ = await post(client, url + "/import", multipart(
            {"csrf": csrf}, {"file": ("plan.csv", header, CSV)}))
        assert status == 400 and "The file has no shifts" in page
        assert len(await hotline.services.hotline.roster_editor.export_csv()) > len(header)
        refused = await audited(hotline, "roster.import_refused")
        assert refused[0][1]["reason"] == "no_shifts"
        status, _, location = await post(client, url + "/import", multipart(
            {"csrf": csrf, "allow_empty": "1"}, {"file": ("plan.csv", header, CSV)}))
        assert status == 303 and "console_ops.roster.imported" in location
        assert await hotline.services.hotline.roster_editor.export_csv() == header.decode()

