"""The case and registrant exports over real HTTP, in the viewer's language: localized headers,
category and status names, people's names, local dates, a header filter and column widths."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import aiohttp
from openpyxl import load_workbook

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role, utcnow
from tests.console_ops_support import consultation
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person
from tests.trainings_support import course_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def download(client: aiohttp.ClientSession, method: str, url: str,
                   data: dict[str, str] | None = None) -> tuple[str, bytes]:
    async with client.request(method, url, data=data, allow_redirects=False) as response:
        assert response.status == 200, await response.text()
        return response.headers["Content-Type"], await response.read()


async def test_case_export_is_in_the_viewers_language(hotline: Hotline,
                                                      sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    base = console_base(hotline)
    today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
    opened = talk.case.created_at.astimezone(hotline.services.hotline.roster.zone)
    form = {"export_from": (today - timedelta(days=1)).isoformat(),
            "export_to": today.isoformat()}
    for language, headers, row in (
            ("zh-hans", ["案件编号", "类别", "状态", "咨询人"],
             ["C-2026-0001", "法律", "处理中", "Emma"]),
            ("en", ["Case number", "Category", "Status", "Asker"],
             ["C-2026-0001", "Legal", "Open", "Emma"])):
        staff = await person(sandbox, hotline, f"Staff {language}",
                             language=language, role=Role.STAFF)
        async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
            async with client.get(base + "/cases") as response:
                token = csrf_of(await response.text())
            kind, data = await download(client, "POST", base + "/cases/export",
                                        {**form, "csrf": token, "format": "xlsx"})
            assert kind == XLSX
            sheet = load_workbook(io.BytesIO(data)).active
            assert [c.value for c in sheet[1]][:4] == headers
            assert [c.value for c in sheet[2]][:4] == row
            assert sheet["F2"].value == "王伟"  # the expert, by name
            assert sheet.auto_filter.ref == "A1:R2" and sheet.freeze_panes == "A2"
            # Local (Asia/Shanghai) wall-clock time, as a real spreadsheet date.
            assert sheet["H2"].is_date
            assert sheet["H2"].value == opened.replace(tzinfo=None, microsecond=0)
            # Wide enough for the longest value in each column (a Chinese character counts 2).
            assert sheet.column_dimensions["A"].width >= len("C-2026-0001")
            kind, data = await download(client, "POST", base + "/cases/export",
                                        {**form, "csrf": token, "format": "csv"})
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows[0][:4] == headers and rows[1][:4] == row
            assert rows[1][7] == opened.strftime("%Y-%m-%d %H:%M")


async def test_registrant_export_is_in_the_viewers_language(hotline: Hotline,
                                                            sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    start = utcnow() + timedelta(days=10)
    course_id = await trainings.create(course_plan(sessions=(
        (start, start + timedelta(hours=2), "区民政局三楼会议室"),)), None)
    learners = [await person(sandbox, hotline, name, role=None) for name in ("=Emma", "李雷")]
    for learner in learners:
        await trainings.register(course_id, learner["id"], frozenset())
    await trainings.register(course_id, (await person(sandbox, hotline, "Tom", role=None))["id"],
                             frozenset())
    base = console_base(hotline)
    for language, headers, statuses in (
            ("zh-hans", ["Telegram ID", "姓名", "Telegram 用户名", "状态", "报名时间"],
             ["已报名", "已报名", "候补"]),
            ("en", ["Telegram ID", "Name", "Telegram username", "Status", "Registered"],
             ["Registered", "Registered", "Waitlisted"])):
        staff = await person(sandbox, hotline, f"Staff {language}",
                             language=language, role=Role.STAFF)
        async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
            kind, data = await download(client, "GET",
                                        f"{base}/trainings/{course_id}/export.xlsx")
            assert kind == XLSX
            sheet = load_workbook(io.BytesIO(data)).active
            assert [c.value for c in sheet[1]][:5] == headers
            assert [row[3].value for row in sheet.iter_rows(min_row=2)] == statuses
            # A name starting with "=" stays text, never a formula.
            assert sheet["B2"].value == "'=Emma" and sheet["B2"].data_type == "s"
            assert sheet["E2"].is_date
            assert sheet.auto_filter.ref == "A1:G4"
            kind, data = await download(client, "GET",
                                        f"{base}/trainings/{course_id}/export.csv")
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows[0][:5] == headers and [r[3] for r in rows[1:]] == statuses
