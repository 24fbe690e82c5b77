"""Item 8-12 pages in a real browser, at 1280 px and 390 px in both languages: the compose
toolbar (and the preview and count staying in view on a phone while typing), the case
filters folding away on a phone, the dashboard's periods, the experts page and the audit
log's sentences. Screenshots go to tests/artifacts/<test>/."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.browser.console_support import console_base, sign_in, staff_member
from tests.console_comms_support import tiny_png
from tests.console_ops_support import consultation

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


async def in_view(page: Any, selector: str) -> bool:
    """Whether the element's box lies at least partly inside the viewport."""
    return await page.evaluate(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
             return box.bottom > 0 && box.top < window.innerHeight && box.height > 0; }""",
        selector)


async def test_the_toolbar_formats_and_the_preview_stays_in_view_on_a_phone(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any,
        screenshot: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    await page.goto(f"{base}/announcements/new")
    body = page.locator("#field-body")
    await body.fill("Apply now before Friday")
    # "now" selected, then Bold; "Friday" selected, then a link to it.
    await body.evaluate("(area) => area.setSelectionRange(6, 9)")
    await page.get_by_role("button", name="Bold").click()
    await expect(body).to_have_value("Apply <b>now</b> before Friday")
    await page.locator("#toolbar-link").fill("javascript:alert(1)")
    await body.evaluate("(area) => area.setSelectionRange(24, 30)")
    await page.get_by_role("button", name="Link", exact=True).click()
    await expect(page.locator("#toolbar-error")).to_have_text(
        "A link must start with https:// or http://.")
    await expect(body).to_have_value("Apply <b>now</b> before Friday")
    await page.locator("#toolbar-link").fill("https://gov.example/form")
    await body.evaluate("(area) => area.setSelectionRange(24, 30)")
    await page.get_by_role("button", name="Link", exact=True).click()
    await expect(body).to_have_value(
        'Apply <b>now</b> before <a href="https://gov.example/form">Friday</a>')
    await body.evaluate("(area) => area.setSelectionRange(0, 5)")
    await body.press("Control+i")
    await expect(body).to_have_value(
        '<i>Apply</i> <b>now</b> before <a href="https://gov.example/form">Friday</a>')
    # The preview shows the formatting, not the tags.
    await expect(page.locator("#preview b", has_text="now")).to_have_text("now")
    await expect(page.locator('#preview a[href="https://gov.example/form"]')).to_have_text(
        "Friday")
    # A photo chosen shows above the preview at once (read in the browser, not uploaded).
    await page.set_input_files("#field-photo", files=[{
        "name": "poster.png", "mimeType": "image/png", "buffer": tiny_png()}])
    await expect(page.locator("#preview-photo")).to_be_visible()
    assert (await page.locator("#preview-photo").get_attribute("src")).startswith(
        "data:image/png;base64,")
    await screenshots(page, "compose-en")

    # On a phone: typing in the body (far down the form) keeps preview and count in view.
    await page.set_viewport_size(PHONE)
    await page.locator("#field-title").fill("Rent subsidy")
    await body.scroll_into_view_if_needed()
    await body.type(" Bring your ID.")
    assert await in_view(page, "#field-body")
    assert await in_view(page, "#preview") and await in_view(page, "#audience-count")
    await screenshot(page, "compose-en-typing-phone")  # the viewport, as the person sees it
    await page.set_viewport_size(DESKTOP)
    await page.get_by_role("button", name="中文").click()
    await expect(page.get_by_role("button", name="粗体")).to_be_visible()
    await screenshots(page, "compose-zh")


async def test_case_filters_fold_away_on_a_phone(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    await consultation(hotline, sandbox)
    staff = await staff_member(hotline, sandbox, "Zhang")
    await sign_in(hotline, sandbox, page, staff["id"])
    base = console_base(hotline)
    await page.goto(f"{base}/cases")
    await expect(page.locator("form.case-filters")).to_be_visible()
    await expect(page.locator("#filters-button")).to_be_hidden()
    await page.set_viewport_size(PHONE)
    await expect(page.locator("form.case-filters")).to_be_hidden()
    await page.locator("#filters-button").click()
    await expect(page.locator("form.case-filters")).to_be_visible()
    await page.locator("#field-category").select_option("legal")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("#filters-button")).to_have_text("Filters (1 in use)")
    await expect(page.locator("form.case-filters")).to_be_hidden()
    await page.set_viewport_size(DESKTOP)
    await screenshots(page, "cases-en")
    await page.get_by_role("button", name="中文").click()
    await page.set_viewport_size(PHONE)
    await expect(page.locator("#filters-button")).to_have_text("筛选（已用 1 项）")
    await screenshots(page, "cases-zh")


async def test_dashboard_experts_and_audit_in_both_languages(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    await consultation(hotline, sandbox)
    admin = await staff_member(hotline, sandbox, "Admin Li", role=Role.ADMIN)
    await sign_in(hotline, sandbox, page, admin["id"])
    base = console_base(hotline)
    await page.goto(f"{base}/roster/experts")
    await page.locator("#field-telegram_id").fill(str(admin["id"]))
    await page.locator("#field-name").fill("李明")
    await page.get_by_role("button", name="Add the expert").click()
    await expect(page.locator("#categories-error")).to_have_text("Choose at least one category.")
    await page.get_by_label("Finance").check()
    await page.get_by_role("button", name="Add the expert").click()
    await expect(page.locator(".notice")).to_have_text("The expert is added.")
    await expect(page.locator(f"#expert-{admin['id']}")).to_contain_text("李明")
    await screenshots(page, "experts-en")
    await page.goto(f"{base}/audit")
    await expect(page.locator("#audit-entries")).to_contain_text(
        f"Admin Li added the expert {admin['id']}")
    await screenshots(page, "audit-en")
    await page.goto(f"{base}/?period=last_week")
    await expect(page.locator("#period-tabs [aria-current=page]")).to_have_text("Last week")
    await page.locator("#period-tabs").get_by_role("link", name="This week").click()
    await expect(page.locator("#expert-load")).to_contain_text("王伟")
    await screenshots(page, "dashboard-en")
    await page.get_by_role("button", name="中文").click()
    await expect(page.locator("#period-tabs [aria-current=page]")).to_have_text("本周")
    await screenshots(page, "dashboard-zh")
    for path, name in (("/roster/experts", "experts-zh"), ("/audit", "audit-zh")):
        await page.goto(f"{base}{path}")
        await screenshots(page, name)
    await expect(page.locator("#audit-entries")).to_contain_text("Admin Li 添加了专家")
