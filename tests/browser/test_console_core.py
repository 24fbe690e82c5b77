"""The web console in a real browser: signing in from the link the bot sent, the dashboard
with real figures in both languages at desktop and phone widths, the admins' audit log,
and signing out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.trainings.courses import CoursePlan, SessionPlan
from storage.models import Role, utcnow
from tests.browser.console_support import console_base, sign_in, staff_member
from tests.hotline_support import ask, social_worker, submit
from tests.ideas_helpers import resident_idea


async def seed_the_week(hotline: Hotline, sandbox: SandboxClient) -> None:
    """A legal question nobody has claimed yet, a resident's idea, and a course next week."""
    asker = await social_worker(hotline, sandbox, "Xu")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "How long is a lease?"))
    await resident_idea(hotline, asker["id"], "Benches by the market")
    starts = utcnow() + timedelta(days=3)
    await hotline.services.trainings.create(CoursePlan(
        title="项目管理能力建设", kind="capacity", description="",
        sessions=(SessionPlan(starts, starts + timedelta(hours=3), "区民政局三楼会议室"),),
        capacity=30, registration_deadline=starts - timedelta(days=1), audience="everyone"),
        created_by=None)


async def figure(page: Any, name: str) -> str:
    return await page.locator(f"#figure-{name} .value").inner_text()


async def test_sign_in_from_the_bots_link_and_read_the_dashboard_in_both_languages(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    await seed_the_week(hotline, sandbox)
    staff = await staff_member(hotline, sandbox, "张", language="zh-hans")
    await sign_in(hotline, sandbox, page, staff["id"])

    assert await page.locator("h1").inner_text() == "概览"
    assert await page.locator(".who").inner_text() == "张"
    assert await figure(page, "waiting") == "1"
    assert await figure(page, "week") == "1"
    assert await figure(page, "ideas") == "1"
    chart = page.locator("#cases-by-category svg")
    assert "法律" in await chart.inner_html()
    assert "项目管理能力建设" in await page.locator("#sessions").inner_text()
    assert "0 / 30" in await page.locator("#sessions").inner_text()
    assert "Benches by the market" in await page.locator("#ideas").inner_text()
    await screenshots(page, "dashboard-zh")

    await page.get_by_role("button", name="English").click()
    await page.wait_for_url(f"{console_base(hotline)}/")
    assert await page.locator("h1").inner_text() == "Dashboard"
    assert "Legal" in await page.locator("#cases-by-category svg").inner_html()
    assert "Cases waiting for an expert" in await page.locator("#figure-waiting").inner_text()
    await screenshots(page, "dashboard-en")
    # The language belongs to the session: a fresh load stays in English.
    await page.goto(f"{console_base(hotline)}/")
    assert await page.locator("h1").inner_text() == "Dashboard"


async def test_at_phone_width_the_menu_folds_behind_a_button(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    admin = await staff_member(hotline, sandbox, "Emma", role=Role.ADMIN)
    await sign_in(hotline, sandbox, page, admin["id"])
    await page.set_viewport_size({"width": 390, "height": 844})
    audit_link = page.get_by_role("link", name="Audit log")
    assert not await audit_link.is_visible()
    await page.get_by_text("☰ Menu").click()
    assert await audit_link.is_visible()
    await screenshots(page, "menu-open")
    await audit_link.click()
    await page.wait_for_url(f"{console_base(hotline)}/audit")
    assert await page.locator("h1").inner_text() == "Audit log"


async def test_the_audit_log_shows_admins_what_staff_did(
        hotline: Hotline, sandbox: SandboxClient, browser: Any, page: Any,
        screenshots: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Wang")
    await sign_in(hotline, sandbox, page, staff["id"])
    # Staff see no audit entry in the menu, and the page itself refuses them.
    assert await page.get_by_role("link", name="Audit log").count() == 0
    refused = await page.goto(f"{console_base(hotline)}/audit")
    assert refused.status == 403
    assert "not allowed" in await page.locator("main").inner_text()
    await page.goto(f"{console_base(hotline)}/")
    await page.get_by_role("button", name="Sign out").click()
    assert "You have signed out" in await page.locator("h1").inner_text()

    admin = await staff_member(hotline, sandbox, "Admin Li", role=Role.ADMIN)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        admin_page = await context.new_page()
        await sign_in(hotline, sandbox, admin_page, admin["id"])
        await admin_page.get_by_role("link", name="Audit log").click()
        rows = admin_page.locator("#audit-entries tbody tr")
        # Newest first: the admin's sign-in, then Wang's sign-out and sign-in.
        assert await rows.count() == 3
        assert "console.sign_in" in await rows.nth(0).inner_text()
        assert "Admin Li" in await rows.nth(0).inner_text()
        assert "console.sign_out" in await rows.nth(1).inner_text()
        assert "Wang" in await rows.nth(1).inner_text()
        await admin_page.select_option("#field-who", str(staff["id"]))
        await admin_page.select_option("#field-action", "console.sign_out")
        await admin_page.get_by_role("button", name="Filter").click()
        await admin_page.wait_for_url("**/console/audit?*")
        assert await rows.count() == 1
        assert "Wang" in await rows.nth(0).inner_text()
        await screenshots(admin_page, "audit")
    finally:
        await context.close()


async def test_after_signing_out_the_console_asks_to_sign_in_again(
        hotline: Hotline, sandbox: SandboxClient, page: Any, screenshots: Any) -> None:
    staff = await staff_member(hotline, sandbox, "Zhao", language="zh-hans")
    await sign_in(hotline, sandbox, page, staff["id"])
    await page.get_by_role("button", name="退出登录").click()
    assert await page.locator("h1").inner_text() == "您已退出登录"
    response = await page.goto(f"{console_base(hotline)}/")
    assert response.status == 401
    assert "请在机器人中发送 /console" in await page.locator("main").inner_text()
    await screenshots(page, "signed-out")
