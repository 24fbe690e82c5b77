"""The roster and case pages over real HTTP: refusals (no CSRF token, no staff role, signed
out) change nothing; bad input gets a 400 with the message; unknown things a 404."""

from __future__ import annotations

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from storage.repositories.audit import AuditFilter
from tests.console_ops_support import consultation
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    press_sign_in,
    signed_in_client,
)
from tests.driver import person
from tests.hotline_support import expert, roster

POSTS = ["/roster/cell/add", "/roster/cell/remove", "/roster/cell/retime", "/roster/import",
         "/roster/export", "/roster/overrides", "/roster/overrides/1/remove", "/cases/export",
         "/cases/C-2026-0001/reassign", "/cases/C-2026-0001/transfer",
         "/cases/C-2026-0001/close"]


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_refusals_change_nothing(hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    base = console_base(hotline)
    plan = await hotline.services.hotline.roster_editor.export_csv()
    version = (await hotline.services.hotline.roster_editor.plan()).version
    forms = {"version": version, "category": "legal", "day": "mon", "start": "09:00",
             "end": "12:00", "expert": str(talk.zhao["id"]), "new_start": "08:00",
             "new_end": "09:00", "confirm": "1", "category_to": "finance",
             "export_from": "2026-01-01", "export_to": "2026-12-31", "format": "csv"}
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        for path in POSTS:
            for csrf in ({}, {"csrf": "forged"}):
                status, _ = await post(client, base + path, {**forms, **csrf})
                assert status == 403, path
    social = await person(sandbox, hotline, "Zhou", role=Role.SOCIAL_WORKER)
    async with http_client() as client:
        await press_sign_in(client, await hotline.services.console.issue_link(social["id"]))
        for path in ("/roster", "/roster/overrides", "/roster/calendar", "/cases",
                     "/cases/C-2026-0001"):
            assert (await get(client, base + path))[0] == 403, path
    async with http_client() as client:
        assert (await get(client, base + "/cases/C-2026-0001"))[0] == 401
        assert (await post(client, base + "/cases/C-2026-0001/close", forms))[0] == 401
    assert await hotline.services.hotline.roster_editor.export_csv() == plan
    case = await hotline.services.hotline.cases.repository.get(talk.case.id)
    assert (case.status, case.expert_id) == ("open", talk.wang["id"])
    assert (await hotline.services.audit.search(AuditFilter(action="cases.close"), 1, 10))[1] == 0


async def test_bad_input_is_answered_beside_the_field(hotline: Hotline,
                                                      sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00")
    base = console_base(hotline)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        status, page = await get(client, base + "/roster")
        assert status == 200
        token = csrf_of(page)
        cell = {"csrf": token, "category": "legal", "day": "mon", "start": "09:00",
                "end": "12:00", "expert": str(wang["id"]), "version": "stale"}
        status, page = await post(client, base + "/roster/cell/remove", cell)
        assert status == 400 and "The roster changed after you opened this page" in page
        status, page = await post(client, base + "/roster/cell/add",
                                  {**cell, "expert": "x", "shift": "new"})
        assert status == 400 and "field-error" in page
        status, page = await post(client, base + "/roster/overrides",
                                  {"csrf": token, "day": "2026-02-30", "expert": "1",
                                   "kind": "off"})
        assert status == 400 and 'id="day-error"' in page
        status, page = await post(client, base + "/roster/overrides/99/remove",
                                  {"csrf": token})
        assert status == 303
        status, page = await get(client, base + "/roster/calendar?from=someday")
        assert status == 400 and "That date is not valid" in page
        status, page = await get(client, base + "/cases?status=lost&from=2026-13-01")
        assert status == 400 and 'id="status-error"' in page and 'id="from-error"' in page
        status, page = await get(client, base + "/cases?from=2026-11-20&to=2026-11-01")
        assert status == 400 and "The end date is before the start date." in page
        assert (await get(client, base + "/cases/C-2026-9999"))[0] == 404
        status, page = await post(client, base + "/cases/export",
                                  {"csrf": token, "export_from": "2025-01-01",
                                   "export_to": "2026-11-01", "format": "pdf"})
        assert status == 400 and 'id="format-error"' in page
        assert "Export at most 366 days at once." in page
        async with client.post(base + "/roster/export", data={"csrf": token}) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/csv")
            assert await response.text() == (
                await hotline.services.hotline.roster_editor.export_csv())
        async with client.post(base + "/roster/import", data={"csrf": token}) as response:
            assert response.status == 400 and "Choose a CSV file." in await response.text()
