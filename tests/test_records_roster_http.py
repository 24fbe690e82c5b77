"""Roster editing that warns, over real HTTP: "9:00" is 09:00 (console and CSV import);
removing someone asks first and names the working days a category would be left with
nobody; experts are added from the console as `hotline experts add` adds them."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role, utcnow
from storage.repositories.audit import AuditFilter
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    press_sign_in,
    signed_in_client,
)
from tests.driver import person
from tests.hotline_support import expert, roster


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str, data: dict) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


def listed(page: str, element: str) -> str:
    found = re.search(rf'<([a-z]+) [^>]*id="{element}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no #{element} on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[2]))


async def test_hours_written_9_00_are_09_00(hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    base = console_base(hotline)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        page = (await get(client, base + "/roster"))[1]
        version = re.search(r'data-version="([^"]+)"', page)[1]
        status, _ = await post(client, base + "/roster/cell/add", {
            "csrf": csrf_of(page), "version": version, "category": "legal", "day": "mon",
            "shift": "new", "start": "9:00", "end": "12:30", "expert": str(wang["id"])})
        assert status == 303
        assert f"{wang['id']},legal,mon,09:00,12:30" in (
            await hotline.services.hotline.roster_editor.export_csv())
        page = (await get(client, base + "/roster"))[1]
        upload = aiohttp.FormData()
        upload.add_field("csrf", csrf_of(page))
        upload.add_field("file", f"telegram_id,categories,days,start,end\n"
                                 f"{wang['id']},legal,tue,8:30,9:45\n".encode(),
                         filename="plan.csv", content_type="text/csv")
        status, _ = await post(client, base + "/roster/import", upload)
        assert status == 303
    assert await hotline.services.hotline.roster_editor.export_csv() == (
        f"telegram_id,categories,days,start,end\n{wang['id']},legal,tue,08:30,09:45\n")


async def test_removing_asks_and_warns_of_days_left_with_nobody(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    zhao = await expert(hotline, sandbox, "赵敏", "legal", name_en="Zhao Min")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,workdays,09:00,12:00",
                 f"{zhao['id']},legal,mon,14:00,18:00",
                 f"{li['id']},finance,daily,09:00,17:00")
    roster_service = hotline.services.hotline.roster
    today = utcnow().astimezone(roster_service.zone).date()
    coming = [today + timedelta(days=n) for n in range(14)]
    # Zhao still answers on Mondays: only the other working days are left with nobody.
    calendar = await roster_service.calendar(coming[0], coming[-1])
    expected = [d for d in coming if calendar.is_workday(d) and d.weekday() != 0]
    assert expected
    base = console_base(hotline)
    for language, warning, keep in (
            ("en", f"Legal would have nobody on duty on {len(expected)} working days of the "
                   "next 14 days", "Keep, back to the roster"),
            ("zh-hans", f"未来 14 天内有 {len(expected)} 个工作日“法律”无人值班",
             "保留，返回值班表")):
        staff = await person(sandbox, hotline, f"Chen {language}",
                             language=language, role=Role.STAFF)
        async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
            page = (await get(client, base + "/roster"))[1]
            version = re.search(r'data-version="([^"]+)"', page)[1]
            cell = {"csrf": csrf_of(page), "version": version, "category": "legal",
                    "day": "workdays", "start": "09:00", "end": "12:00",
                    "expert": str(wang["id"])}
            status, page = await post(client, base + "/roster/cell/remove", cell)
            assert status == 200 and 'name="confirm" value="1"' in page and keep in page
            warned = listed(page, "remove-gaps")
            assert warning in warned
            for day in expected:
                assert day.isoformat() in warned
            assert all(d.isoformat() not in warned for d in coming if d not in expected)
    # Nothing is removed until confirmed.
    plan = await hotline.services.hotline.roster_editor.export_csv()
    assert f"{wang['id']},legal,workdays" in plan
    # Li's finance days are covered by nobody else either, but Zhao's Monday is no loss:
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        page = (await get(client, base + "/roster"))[1]
        version = re.search(r'data-version="([^"]+)"', page)[1]
        monday = {"csrf": csrf_of(page), "version": version, "category": "legal", "day": "mon",
                  "start": "14:00", "end": "18:00", "expert": str(zhao["id"])}
        status, page = await post(client, base + "/roster/cell/remove", monday)
        assert status == 200 and 'id="remove-gaps"' not in page
        assert "“法律”仍有人值班" in listed(page, "remove-no-gaps")
        # A stale page is refused before anything is asked.
        token = csrf_of(page)
        status, page = await post(client, base + "/roster/cell/remove",
                                  {**cell, "csrf": token, "version": "stale"})
        assert status == 400 and "值班表在您打开页面后已被他人修改" in page
        status, _ = await post(client, base + "/roster/cell/remove",
                               {**cell, "csrf": token, "version": version,
                                "confirm": "1"})
        assert status == 303
    plan = await hotline.services.hotline.roster_editor.export_csv()
    assert f"{wang['id']},legal,workdays" not in plan and f"{zhao['id']},legal,mon" in plan
    _, removed = await hotline.services.audit.search(AuditFilter(action="roster.shift_remove"),
                                                     1, 10)
    assert removed == 1


async def test_experts_are_added_from_the_console(hotline: Hotline,
                                                  sandbox: SandboxClient) -> None:
    base = console_base(hotline)
    newcomer = await person(sandbox, hotline, "Sun Li", role=None)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        page = (await get(client, base + "/roster/experts"))[1]
        token = csrf_of(page)
        form = {"csrf": token, "telegram_id": str(newcomer["id"]), "name": "孙丽",
                "name_en": "Sun Li", "categories": "legal"}
        for wrong, field, message in (
                ({"telegram_id": "abc"}, "telegram_id", "Please enter a whole number."),
                ({"name": "长" * 65}, "name", "64"),
                ({"categories": "astrology"}, "categories", "Please choose from the list."),
                ({"categories": ""}, "categories", "Choose at least one category."),
                ({"alias_en": " "}, None, None)):
            status, page = await post(client, base + "/roster/experts", {**form, **wrong})
            if field is None:  # a blank optional alias is no alias: the defaults are made
                assert status == 303
                continue
            assert status == 400, wrong
            assert f'id="{field}-error"' in page and message in page, (wrong, page[-3000:])
        assert (await hotline.services.hotline.experts.get(newcomer["id"])).categories == (
            "legal",)
        status, _ = await post(client, base + "/roster/experts",
                               {**form, "categories": ["legal", "finance"]})
        assert status == 303
        page = (await get(client,
                          base + "/roster/experts?notice=console_records.experts_updated"))[1]
        assert "The expert's details are updated." in page
        assert "孙丽" in listed(page, "experts")
    added = await hotline.services.hotline.experts.get(newcomer["id"])
    assert added.categories == ("legal", "finance") and added.alias_en == "Legal expert Sun"
    assert Role.EXPERT.value in (await hotline.services.people.get(newcomer["id"])).roles
    entries, _ = await hotline.services.audit.search(AuditFilter(), 1, 20)
    assert [(e.action, e.target) for e in entries if e.action.startswith("experts.")] == [
        ("experts.update", str(newcomer["id"])), ("experts.add", str(newcomer["id"]))]
    # A social worker is refused the page and the form.
    social = await person(sandbox, hotline, "Zhou", role=Role.SOCIAL_WORKER)
    async with http_client() as client:
        await press_sign_in(client, await hotline.services.console.issue_link(social["id"]))
        assert (await get(client, base + "/roster/experts"))[0] == 403
        assert (await post(client, base + "/roster/experts", form))[0] == 403
