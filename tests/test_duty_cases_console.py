"""Each category's fallback on the console's roster pages (issue 15 item 4), over real HTTP,
and from the command line: the same front door, refusals and audit entries as /fallback."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.audit import COMMAND_LINE_ACTOR
from storage.models import Role
from storage.repositories.audit import AuditFilter
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    press_sign_in,
    signed_in_client,
)
from tests.driver import person
from tests.hotline_support import expert


async def _get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def _post(client: aiohttp.ClientSession, url: str, data: dict) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_staff_name_and_clear_a_fallback_in_the_console(hotline: Hotline,
                                                              sandbox: SandboxClient) -> None:
    base = console_base(hotline)
    qian = await expert(hotline, sandbox, "Qian", "finance")
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    fallbacks = hotline.services.hotline.duty_cases.fallbacks
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        status, page = await _get(client, base + "/roster/fallbacks")
        assert status == 200 and 'id="fallback-legal"' in page
        form = {"csrf": csrf_of(page), "category": "legal", "person": "Qian"}
        status, page = await _post(client, base + "/roster/fallbacks",
                                   {**form, "person": "Nobody Known"})
        assert status == 400
        assert "“Nobody Known” is neither an expert nor a staff member" in page
        status, page = await _post(client, base + "/roster/fallbacks",
                                   {**form, "category": "astrology"})
        assert status == 400 and "Please choose from the list." in page
        assert await fallbacks.person_for("legal") is None

        status, _ = await _post(client, base + "/roster/fallbacks", form)
        assert status == 303
        assert await fallbacks.person_for("legal") == qian["id"]
        status, page = await _get(
            client, base + "/roster/fallbacks?notice=console_duty.fallback_saved")
        assert "The fallback is saved." in page and "Qian" in page
        # Stepped off (/duty off), the fallback is passed over.
        await hotline.services.hotline.experts.set_stepped_off(qian["id"], True)
        assert await fallbacks.person_for("legal") is None
        status, _ = await _post(client, base + "/roster/fallbacks", {**form, "person": ""})
        assert status == 303
        assert [row.telegram_id for row in await fallbacks.listing()
                if row.category == "legal"] == [None]
    entries, _ = await hotline.services.audit.search(AuditFilter(), 1, 20)
    assert [(e.action, e.target, e.channel) for e in entries
            if e.action.startswith("roster.fallback")] == [
        ("roster.fallback_clear", "legal", "console"),
        ("roster.fallback_set", "legal", "console")]
    # A social worker is refused the page and the form.
    social = await person(sandbox, hotline, "Zhou", role=Role.SOCIAL_WORKER)
    async with http_client() as client:
        await press_sign_in(client, await hotline.services.console.issue_link(social["id"]))
        assert (await _get(client, base + "/roster/fallbacks"))[0] == 403
        assert (await _post(client, base + "/roster/fallbacks", form))[0] == 403


def test_the_command_line_names_and_clears_a_fallback(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HOTLINE_") or k == "HOTLINE_CLI_TRACEBACKS"}
        env["HOTLINE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        env["HOTLINE_DEFAULT_LOCALE"] = "en"
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env,
                              capture_output=True, text=True, timeout=60, cwd=tmp_path,
                              check=False)

    added = run("experts", "add", "900000003", "--name", "王老师", "--categories", "legal")
    assert added.returncode == 0, added.stderr
    refused = run("fallback", "set", "finance", "Nobody")
    assert refused.returncode == 2
    assert ("hotline: “Nobody” is neither an expert nor a staff member: only they can be a "
            "fallback.") in refused.stderr
    named = run("fallback", "set", "finance", "王老师")
    assert named.returncode == 0, named.stderr
    assert named.stdout == "finance: 王老师 (900000003)\n"
    listed = run("fallback", "list")
    assert "finance\t财务\tFinance\t900000003\t王老师" in listed.stdout
    assert "legal\t法律\tLegal\t-\t-" in listed.stdout
    assert run("fallback", "clear", "finance").returncode == 0
    again = run("fallback", "clear", "finance")
    assert again.returncode == 2 and "No fallback is named for “finance”." in again.stderr
    # Audited as every command-line change: the command line's actor, naming the operator.
    with closing(sqlite3.connect(tmp_path / "cli.db")) as database:
        rows = database.execute(
            "SELECT action, target, telegram_id, channel, detail FROM audit_log "
            "WHERE action LIKE 'roster.fallback%' ORDER BY id").fetchall()
    assert [row[:4] for row in rows] == [
        ("roster.fallback_set", "finance", COMMAND_LINE_ACTOR, "cli"),
        ("roster.fallback_clear", "finance", COMMAND_LINE_ACTOR, "cli")]
    assert all("@" in json.loads(row[4])["operator"] for row in rows)
