"""The console as staff use it, on the points an acceptance review found short: the
dashboard's broadcasts updating while it is open, the roster edited on a phone one day at a
time, a transcript's photos, documents and voice notes served through the bot, a waiting
case moved to another category, and the refusal pages and keyboard access."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.hotline.case_files import describe
from services.hotline.roster import WEEKDAYS
from storage.models import CaseStatus, Role, utcnow
from tests.browser.console_support import console_base, person, sign_in, staff_member
from tests.browser.test_console_ops import audited, duty_day, duty_of
from tests.console_ops_support import PNG, consultation
from tests.console_support import http_client, signed_in_client
from tests.driver import buttons, press_data, wait_edit, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker, submit

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OGG = b"OggS\x00\x02" + bytes(40)


async def test_the_dashboard_follows_a_broadcast_while_it_is_open(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    for name in ("Ann", "Bo", "Cai"):
        reader = await person(sandbox, hotline, name, role=None)
        await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await expect(page.locator("#no-broadcasts")).to_be_visible()
    await expect(page.locator("#figure-broadcasts .value")).to_have_text("0")

    # Telegram asks the first sends to wait 4 s: long enough for the dashboard to see it.
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["429"], "retry_after": 4,
                                    "methods": ["sendMessage"], "count": 3})
    composer = await page.context.new_page()
    await composer.goto(f"{console_base(hotline)}/announcements/new")
    await composer.select_option("#field-topic", "policy")
    await composer.fill("#field-title", "Winter heating subsidy")
    await composer.fill("#field-body", "Apply before December.")
    await composer.get_by_role("button", name="Review and confirm").click()
    await composer.get_by_role("button", name="Confirm and send now").click()
    await composer.wait_for_url(re.compile(r".*/console/announcements/\d+\?notice=.*"))
    await composer.close()

    # The dashboard was never reloaded: the broadcast appears, then leaves when finished.
    item = page.locator("#broadcast-list li")
    await expect(item).to_contain_text("Winter heating subsidy", timeout=10_000)
    await expect(item.locator("progress")).to_have_attribute("max", "3")
    await expect(page.locator("#no-broadcasts")).to_be_hidden()
    await expect(page.locator("#figure-broadcasts .value")).to_have_text("1")
    await screenshots(page, "dashboard-sending")
    await expect(item).to_have_count(0, timeout=30_000)
    await expect(page.locator("#no-broadcasts")).to_be_visible()
    await expect(page.locator("#figure-broadcasts .value")).to_have_text("0")

    # A question asked meanwhile shows as waiting, and the figure leads to those cases.
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Who signs the lease?"))
    await expect(page.locator("#figure-waiting .value")).to_have_text("1", timeout=10_000)
    await page.locator("#figure-waiting a").click()
    await page.wait_for_url("**/console/cases?status=offered")
    await expect(page.locator("table.cases tbody tr")).to_have_count(1)


async def test_the_live_figures_need_a_staff_session(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    url = f"{console_base(hotline)}/dashboard/live.json"
    async with http_client() as anonymous, anonymous.get(url) as answer:
        assert answer.status == 401
    staff = await staff_member(hotline, sandbox, "Zhang")
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        async with client.get(url) as answer:
            assert answer.status == 200
            assert await answer.json() == {"waiting": 0, "open": 0, "broadcasts": [],
                                           "scheduled": ""}
        await hotline.services.people.revoke(staff["id"], Role.STAFF)
        async with client.get(url) as answer:
            assert answer.status == 403


async def test_the_roster_is_edited_on_a_phone_one_day_at_a_time(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshot: Any) -> None:
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
    column = WEEKDAYS[today.weekday()]
    other = WEEKDAYS[(today.weekday() + 3) % 7]
    staff = await staff_member(hotline, sandbox, "Zhang")
    await page.set_viewport_size(PHONE)
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/roster")

    # Nothing wider than the phone: no sideways scrolling, for the page or the grid.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    grid_wrap = page.locator(".table-wrap:has(#roster-grid)")
    assert await grid_wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    picker = page.locator("#day-picker")
    await expect(picker).to_be_visible()
    # Today's day first; every other day's cells are out of the way.
    await expect(picker.locator(f'button[data-day="{column}"]')).to_have_attribute(
        "aria-pressed", "true")
    await expect(page.locator(f"#cell-finance-{column}")).to_be_visible()
    await expect(page.locator(f"#cell-finance-{other}")).to_be_hidden()
    await picker.locator(f'button[data-day="{other}"]').click()
    await expect(page.locator(f"#cell-finance-{other}")).to_be_visible()
    await expect(page.locator(f"#cell-finance-{column}")).to_be_hidden()
    await screenshot(page, "roster-phone-day", full_page=True)

    await picker.locator(f'button[data-day="{column}"]').click()
    cell = page.locator(f"#cell-finance-{column}")
    await cell.locator("details.new-shift summary").click()
    await cell.locator("details.new-shift input[name=start]").fill("14:00")
    await cell.locator("details.new-shift input[name=end]").fill("18:00")
    await cell.locator("details.new-shift select[name=expert]").select_option(str(li["id"]))
    await cell.get_by_role("button", name="Add shift").click()
    await page.wait_for_url("**/console/roster?notice=*")
    # Back on the same day after the save, with the new shift in it.
    await expect(page.locator(f"#cell-finance-{column} .shift")).to_contain_text("李娜")
    await expect(page.locator(f"#cell-finance-{other}")).to_be_hidden()
    assert f"{duty_day(today)}: 14:00–18:00 Finance" in await duty_of(sandbox, li["id"])
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(page, "roster-phone-saved", full_page=True)

    # At desktop width the full grid is back, every day side by side, no picker.
    await page.set_viewport_size({"width": 1280, "height": 800})
    await expect(picker).to_be_hidden()
    await expect(page.locator(f"#cell-finance-{other}")).to_be_visible()


async def test_a_transcripts_files_are_shown_through_the_bot(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    talk = await consultation(hotline, sandbox)
    uid = talk.asker["id"]
    await sandbox.send_document(uid, PDF, "lease.pdf", mime_type="application/pdf",
                                caption="the signed lease")
    await wait_reply(sandbox, talk.wang["id"], "the signed lease")
    await sandbox.send_voice(uid, OGG, duration=2)
    await wait_reply(sandbox, talk.wang["id"], lambda m: m.get("voice") is not None)
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    await page.goto(f"{base}/cases/C-2026-0001")

    # The photo as a picture, loaded from the console; the others as downloads.
    photo = page.locator('#timeline .media-photo img').first
    await photo.scroll_into_view_if_needed()  # loading="lazy": fetched once in view
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                 arg=await photo.element_handle())
    assert await photo.evaluate("img => img.naturalWidth") == 16
    source = await photo.get_attribute("src")
    assert source is not None and re.fullmatch(r"/console/cases/C-2026-0001/files/\d+", source)
    html = await page.content()
    assert hotline.settings.bot_token is not None
    token = hotline.settings.bot_token.get_secret_value()
    assert token not in html and "/file/bot" not in html
    document = page.locator('#timeline .media-document a.media-download')
    await expect(document).to_have_text("Download (Document)")
    voice = page.locator('#timeline .media-voice')
    await expect(voice.locator("audio")).to_have_count(1)
    await screenshots(page, "case-files")

    async with page.expect_download() as downloading:
        await document.click()
    download = await downloading.value
    assert re.fullmatch(r"C-2026-0001-\d+\.pdf", download.suggested_filename)
    assert (await download.path()).read_bytes() == PDF

    photo_url = f"http://127.0.0.1:{hotline.http_port}{source}"
    async with http_client() as anonymous, anonymous.get(photo_url) as refused:
        assert refused.status == 401
        assert PNG not in await refused.read()
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        async with client.get(photo_url) as answer:
            assert answer.status == 200
            assert await answer.read() == PNG
            assert answer.headers["Content-Type"] == "image/png"
            assert answer.headers["Cache-Control"] == "private, max-age=3600"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
        # A message of the case without a file, or one the case does not hold: 404.
        case = talk.case
        texts = [m.id for m in await hotline.services.hotline.cases.repository.transcript.messages(
            case.id) if not m.media_ref]
        for message_id in (texts[0], 999_999):
            async with client.get(f"{base}/cases/C-2026-0001/files/{message_id}") as missing:
                assert missing.status == 404
        async with client.get(f"{base}/cases/C-2026-0009/files/1") as missing:
            assert missing.status == 404


async def test_a_waiting_case_is_moved_to_another_category(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Budget lines for rent?"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")

    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.goto(f"{console_base(hotline)}/cases/C-2026-0001")
    actions = page.locator("#actions")
    await expect(actions).to_contain_text("Nobody has claimed this consultation yet")
    await actions.locator("select[name=category]").select_option("finance")
    await actions.get_by_role("button", name="Transfer").click()
    await page.wait_for_url("**/console/cases/C-2026-0001?notice=*")
    await expect(page.locator("#case-category")).to_have_text("Finance")
    await expect(page.locator("#case-status")).to_have_text(re.compile("Waiting"))
    await screenshots(page, "case-moved")

    # The asker is told as after the expert's Transfer; Wang's Claim button is withdrawn.
    told = await wait_reply(sandbox, asker["id"], "transferred")
    assert told["text"].startswith("Your consultation C-2026-0001 has been transferred to "
                                   "Finance")
    edited = await wait_edit(sandbox, wang["id"], offer["message_id"])
    assert "moved consultation C-2026-0001 to Finance" in edited["text"]
    assert buttons(edited) == []
    # The old button, pressed anyway (a chat still showing it), wins nothing; Li, on duty
    # for finance, claims it.
    stale = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1], forged=True)
    assert stale["answer"] is not None and "taken" not in str(stale["answer"]).lower()
    new_offer = await offer_to(sandbox, li["id"], "C-2026-0001")
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None and (case.status, case.expert_id) == (CaseStatus.OFFERED, None)
    await press_data(sandbox, li["id"], new_offer, buttons(new_offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None and (case.status, case.expert_id) == (CaseStatus.OPEN, li["id"])
    [moved] = await audited(hotline, "cases.transfer")
    assert moved.telegram_id == staff["id"] and '"legal", "finance"' in moved.detail

    # The case list on a phone: each case a card, nothing to scroll sideways.
    await page.set_viewport_size(PHONE)
    await page.goto(f"{console_base(hotline)}/cases")
    row = page.locator('tr[data-number="C-2026-0001"]')
    await expect(row).to_contain_text("Finance")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshots(page, "cases-list")


async def test_refusals_and_the_keyboard(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    # A missing page, signed in: a way back to the console, not "send /console again".
    answer = await page.goto(f"{base}/no-such-page")
    assert answer is not None and answer.status == 404
    main = page.locator("main")
    await expect(main).to_contain_text("There is no such page.")
    await expect(main).not_to_contain_text("Send /console")
    await expect(main.get_by_role("link", name="Dashboard")).to_be_visible()
    answer = await page.goto(f"{base}/cases/C-2026-0042")
    assert answer is not None and answer.status == 404
    await screenshots(page, "not-found")

    # Switching the language keeps the page's filters (and drops a one-off notice).
    await page.goto(f"{base}/cases?status=offered&notice=console_ops.roster.saved")
    await page.get_by_role("button", name="中文").click()
    await page.wait_for_url(f"{base}/cases?status=offered")
    await expect(page.locator("#field-status")).to_have_value("offered")
    await expect(page.locator("h1")).to_have_text("咨询案件")
    await page.get_by_role("button", name="English").click()
    await page.wait_for_url(f"{base}/cases?status=offered")

    # On a phone the menu opens from the keyboard: skip link, then the menu button.
    await page.set_viewport_size(PHONE)
    await page.goto(f"{base}/")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_visible()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(page.locator("#nav-toggle")).to_be_focused()
    await page.keyboard.press("Space")
    roster_link = page.locator(".nav").get_by_role("link", name="Roster")
    await expect(roster_link).to_be_visible()
    await roster_link.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/roster")


RAW_KEY = re.compile(
    r"\b(?:console|hotline|ideas|trainings|announcements|records|calendar|kb)[a-z_]*"
    r"\.[a-z_]+\.[a-z_.]+")
SWEEP = ["/", "/?period=last_week", "/roster", "/roster/overrides", "/roster/calendar",
         "/roster/calendar/2026", "/roster/calendar/2031", "/roster/experts", "/cases",
         "/cases/C-2026-0001", "/announcements", "/announcements/new", "/trainings",
         "/trainings/new", "/ideas", "/audit"]


async def test_every_page_in_both_languages_at_both_widths(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshot: Any) -> None:
    await consultation(hotline, sandbox)
    admin = await staff_member(hotline, sandbox, "Zhou", role=Role.ADMIN)
    await sign_in(hotline, sandbox, page, admin["id"])
    base = console_base(hotline)
    for language, switch in (("zh", "中文"), ("en", "English")):
        await page.get_by_role("button", name=switch).click()
        await page.wait_for_load_state()
        for path in SWEEP:
            answer = await page.goto(f"{base}{path}")
            assert answer is not None and answer.status == 200, path
            name = (path.strip("/").replace("/", "-") or "dashboard") + f"-{language}"
            title = await page.title()
            heading = await page.locator("main h1").first.inner_text()
            text = await page.locator("body").inner_text()
            # No catalogue key shows (area.group.name); the audit page's action names, such
            # as cases.transfer, are two words and meant to be read as they are.
            assert not RAW_KEY.findall(text), (path, language, RAW_KEY.findall(text))
            assert heading and not RAW_KEY.search(title), (path, title)
            if language == "zh":
                assert re.search(r"[\u4e00-\u9fff]", heading), (path, heading)
            if path == "/audit":  # actions in words, their stored names beside them
                words = "登录控制台" if language == "zh" else "Signed in to the console"
                assert words in text and "console.sign_in" in text
            await page.set_viewport_size(PHONE)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, language, width)
            await screenshot(page, f"{name}-phone", full_page=True)
            await page.set_viewport_size({"width": 1280, "height": 800})
            await screenshot(page, f"{name}-desktop", full_page=True)


async def test_a_fault_on_the_server_is_a_console_page(
        hotline: Hotline, sandbox: SandboxClient, page: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])

    async def broken(locale: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(hotline.services.dashboard, "figures", broken)
    answer = await page.goto(f"{console_base(hotline)}/")
    assert answer is not None and answer.status == 500
    main = page.locator("main")
    await expect(main).to_contain_text("it has been logged")
    await expect(main).not_to_contain_text("database went away")
    await expect(page.get_by_role("link", name="Roster").first).to_be_visible()


async def test_an_unattended_dashboard_stops_keeping_its_session_alive(
        hotline: Hotline, sandbox: SandboxClient, page: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url)
            if request.url.endswith("/dashboard/live.json") else None)
    await page.clock.install()
    await page.goto(f"{console_base(hotline)}/")
    async with page.expect_response("**/dashboard/live.json"):
        await page.clock.run_for(2_100)
    # Fifteen minutes without a key or the mouse: the polling stops ...
    await page.clock.run_for(16 * 60 * 1000)
    await page.wait_for_load_state("networkidle")
    count = len(polls)
    await page.clock.run_for(60_000)
    await page.wait_for_load_state("networkidle")
    assert len(polls) == count
    # ... and the first key press brings it back.
    async with page.expect_response("**/dashboard/live.json"):
        await page.keyboard.press("Shift")


async def test_without_javascript_the_phone_roster_stacks_every_day(
        hotline: Hotline, sandbox: SandboxClient, browser: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    context = await browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        tab = await context.new_page()
        await sign_in(hotline, sandbox, tab, staff["id"])
        await tab.goto(f"{console_base(hotline)}/roster")
        await expect(tab.locator("#day-picker")).to_be_hidden()
        for day in (*WEEKDAYS, "workdays"):
            await expect(tab.locator(f"#cell-legal-{day}")).to_be_visible()
        # Each stacked cell is titled with its day (the column headers are gone).
        label = await tab.locator("#cell-legal-wed").evaluate(
            "cell => getComputedStyle(cell, '::before').content")
        assert label == '"Wed"'
        assert await tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        await context.close()


def test_a_case_file_is_named_by_what_it_holds() -> None:
    assert describe(PNG, "photo") == ("image/png", "png")
    assert describe(PDF, "document") == ("application/pdf", "pdf")
    assert describe(OGG, "voice") == ("audio/ogg", "ogg")
    assert describe(b"\x00\x01unknown", "voice") == ("audio/ogg", "ogg")
    assert describe(b"\x00\x01unknown", "document") == ("application/octet-stream", "bin")
    assert describe(b"\x00\x00\x00\x18ftypmp42", "video") == ("video/mp4", "mp4")
