"""The console's refusals over real HTTP, against the running bot and the sandbox: each with
its HTTP status, a page saying what to do, and nothing changed."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.app import Hotline, build_hotline
from bot.settings import SettingsError, load_settings
from handlers.context import COMMAND_MENU_KEY
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.housekeeping import purge_console_sign_ins
from storage.models import AuditEntry, ConsoleLoginToken, ConsoleSession, Role, utcnow
from tests.console_support import (
    console_base,
    csrf_of,
    http_client,
    link_from_bot,
    press_sign_in,
    signed_in_client,
)
from tests.driver import person, say
from tests.support import settings_for


async def count(hotline: Hotline, model: type) -> int:
    async with hotline.services.database.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def set_all(hotline: Hotline, model: type, **values: object) -> None:
    async with hotline.services.database.session() as session:
        await session.execute(update(model).values(**values))


async def get(client: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post(client: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_the_link_opens_a_session_once_with_a_safe_cookie(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    link = await link_from_bot(sandbox, staff["id"])
    assert link.startswith(f"http://127.0.0.1:{hotline.http_port}/console/login?token=")
    async with http_client() as scanner:  # a link preview fetches the URL: nothing is used
        for _ in range(2):
            status, page = await get(scanner, link)
            assert status == 200 and "Sign in to the console" in page
        assert "hotline_console" not in {c.key for c in scanner.cookie_jar}
    assert await count(hotline, ConsoleSession) == 0
    async with http_client() as client:
        response = await press_sign_in(client, link)
        assert response.status == 303 and response.headers["Location"] == "/console/"
        cookie = response.cookies["hotline_console"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["path"] == "/console" and not cookie["secure"]
        status, page = await get(client, f"{console_base(hotline)}/")
        assert status == 200 and "Dashboard" in page and "Wang" in page
    assert await count(hotline, ConsoleSession) == 1

    async with http_client() as other:  # the same link again, from another browser
        status, page = await get(other, link)
        assert status == 410 and "already been used" in page and "/console" in page
        token = link.split("token=", 1)[1]
        status, page = await post(other, f"{console_base(hotline)}/login", {"token": token})
        assert status == 410 and "already been used" in page
    assert await count(hotline, ConsoleSession) == 1


async def test_a_sign_in_posted_from_another_site_is_refused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Feng", role=Role.STAFF)
    link = await link_from_bot(sandbox, staff["id"])
    token = link.split("token=", 1)[1]
    async with http_client() as client:
        for forged in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            async with client.post(f"{console_base(hotline)}/login", data={"token": token},
                                   headers=forged, allow_redirects=False) as response:
                assert response.status == 403
        assert (await press_sign_in(client, link)).status == 303  # the link still works
    assert await count(hotline, ConsoleSession) == 1


async def test_an_expired_link_is_refused_and_stays_unused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Li", language="zh-hans", role=Role.STAFF)
    link = await link_from_bot(sandbox, staff["id"])
    await set_all(hotline, ConsoleLoginToken, expires_at=utcnow() - timedelta(seconds=1))
    async with http_client() as client:
        status, page = await get(client, link)
        assert status == 410 and "此登录链接已过期" in page
        assert "hotline_console" not in {c.key for c in client.cookie_jar}
    assert await count(hotline, ConsoleSession) == 0
    async with hotline.services.database.session() as session:
        token = (await session.execute(select(ConsoleLoginToken))).scalar_one()
    assert token.used_at is None


async def test_unknown_and_malformed_tokens_are_not_found(hotline: Hotline) -> None:
    async with http_client() as client:
        for token in (secrets.token_urlsafe(32), "x", "", "../../etc/passwd"):
            status, page = await get(client, f"{console_base(hotline)}/login?token={token}")
            assert status == 404 and "Send /console" not in page  # default locale: Chinese
            assert "请在机器人中发送 /console" in page
    assert await count(hotline, ConsoleSession) == 0


async def test_posts_without_the_right_csrf_token_change_nothing(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        _, page = await get(client, f"{console_base(hotline)}/")
        token = csrf_of(page)
        for data in ({"locale": "zh_CN"}, {"locale": "zh_CN", "csrf": "forged"},
                     {"locale": "zh_CN", "csrf": token[:-1]}):
            status, refusal = await post(client, f"{console_base(hotline)}/locale", data)
            assert status == 403 and "nothing was changed" in refusal
        status, _ = await post(client, f"{console_base(hotline)}/logout", {})
        assert status == 403
        # Still signed in, still in English: neither POST did anything.
        status, page = await get(client, f"{console_base(hotline)}/")
        assert status == 200 and "<h1>Dashboard</h1>" in page
        # With the token, the same POST works (and the page is then in Chinese).
        status, _ = await post(client, f"{console_base(hotline)}/locale",
                               {"locale": "zh_CN", "csrf": token, "next": "/console/"})
        assert status == 303
        _, page = await get(client, f"{console_base(hotline)}/")
        assert "<h1>概览</h1>" in page


async def test_a_session_without_a_staff_role_is_forbidden(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    # A social worker (and a resident) who somehow holds a sign-in link: the server refuses.
    for role in (Role.SOCIAL_WORKER, None):
        someone = await person(sandbox, hotline, f"Zhao {role}", role=role)
        link = await hotline.services.console.issue_link(someone["id"])
        async with http_client() as client:
            assert (await press_sign_in(client, link)).status == 303
            status, page = await get(client, f"{console_base(hotline)}/")
            assert status == 403 and "not allowed" in page and "Dashboard</h1>" not in page
            assert (await get(client, f"{console_base(hotline)}/audit"))[0] == 403


async def test_a_revoked_staff_member_loses_access_at_once(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Sun", role=Role.STAFF)
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        assert (await get(client, f"{console_base(hotline)}/"))[0] == 200
        await hotline.services.people.revoke(staff["id"], Role.STAFF)
        assert (await get(client, f"{console_base(hotline)}/"))[0] == 403


async def test_a_resident_asking_for_console_is_refused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    resident = await person(sandbox, hotline, "Zhou", role=None)
    answer = await say(sandbox, resident["id"], "/console")
    assert answer["text"] == "Sorry, you are not allowed to do that."
    assert await count(hotline, ConsoleLoginToken) == 0


async def test_a_tampered_or_missing_cookie_is_unauthorised(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wu", role=Role.STAFF)
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        genuine = next(c.value for c in client.cookie_jar if c.key == "hotline_console")
    tampered = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    async with aiohttp.ClientSession() as stranger:
        for value in (tampered, genuine + "x", "nonsense", None):
            headers = {"Cookie": f"hotline_console={value}"} if value else {}
            async with stranger.get(f"{console_base(hotline)}/", headers=headers,
                                    allow_redirects=False) as response:
                page = await response.text()
                assert response.status == 401, value
                assert "not signed in" in page or "您尚未登录" in page


async def test_sign_out_ends_the_session(hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zheng", role=Role.STAFF)
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        genuine = next(c.value for c in client.cookie_jar if c.key == "hotline_console")
        _, page = await get(client, f"{console_base(hotline)}/")
        status, goodbye = await post(client, f"{console_base(hotline)}/logout",
                                     {"csrf": csrf_of(page)})
        assert status == 200 and "You have signed out" in goodbye
    assert await count(hotline, ConsoleSession) == 0
    # The old cookie, kept by an attacker, opens nothing.
    async with aiohttp.ClientSession() as replay, replay.get(
            f"{console_base(hotline)}/",
            headers={"Cookie": f"hotline_console={genuine}"}) as response:
        assert response.status == 401


async def test_expired_and_idle_sessions_are_unauthorised(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Feng", role=Role.STAFF)
    client = await signed_in_client(hotline, sandbox, staff["id"])
    async with client:
        assert (await get(client, f"{console_base(hotline)}/"))[0] == 200
        idle = utcnow() - timedelta(hours=8, seconds=1)
        await set_all(hotline, ConsoleSession, last_seen_at=idle)
        assert (await get(client, f"{console_base(hotline)}/"))[0] == 401
        await set_all(hotline, ConsoleSession, last_seen_at=utcnow(),
                      expires_at=utcnow() - timedelta(seconds=1))
        status, page = await get(client, f"{console_base(hotline)}/")
        assert status == 401 and "Send /console to the bot" not in page  # no viewer: Chinese
    # The hourly housekeeping removes the dead session and the used link.
    assert await purge_console_sign_ins(hotline.services) == 2
    assert await count(hotline, ConsoleSession) == 0
    assert await count(hotline, ConsoleLoginToken) == 0


async def test_the_audit_log_is_for_admins_and_filters(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Han", role=Role.STAFF)
    admin = await person(sandbox, hotline, "Admin Yang", role=Role.ADMIN)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        assert (await get(client, f"{console_base(hotline)}/audit"))[0] == 403
    async with await signed_in_client(hotline, sandbox, admin["id"]) as client:
        status, page = await get(client, f"{console_base(hotline)}/audit")
        assert status == 200 and page.count("console.sign_in") >= 2 and "Han" in page
        status, page = await get(client, f"{console_base(hotline)}/audit?who={staff['id']}")
        assert status == 200 and "Entries found: 1 " in page
        status, page = await get(client, f"{console_base(hotline)}/audit?since=2026-13-01")
        assert status == 400 and "Please enter a date like 2026-11-23." in page
        status, page = await get(client, f"{console_base(hotline)}/audit?who=42")
        assert status == 400 and "Please choose from the list." in page
    assert await count(hotline, AuditEntry) == 2


async def test_an_https_console_url_makes_the_cookie_secure(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    running = await build_hotline(settings_for(sandbox_server, tmp_path,
                                               console_url="https://hotline.example.org/"))
    await running.start()
    try:
        staff = await person(sandbox, running, "Qian", role=Role.STAFF)
        link = await link_from_bot(sandbox, staff["id"])
        assert link.startswith("https://hotline.example.org/console/login?token=")
        local = link.replace("https://hotline.example.org", f"http://127.0.0.1:{running.http_port}")
        async with http_client() as client:
            response = await press_sign_in(client, local)
            assert response.status == 303
            assert response.cookies["hotline_console"]["secure"]
    finally:
        await running.stop()


async def test_console_is_in_the_staff_command_menu_only(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Tao", role=Role.STAFF)
    await hotline.application.bot_data[COMMAND_MENU_KEY].refresh_for(staff["id"])
    personal = await sandbox.my_commands(scope={"type": "chat", "chat_id": staff["id"]})
    assert {"command": "console",
            "description": "Sign-in link for the web console"} in personal
    for language in ("", "en", "zh"):
        everyone = await sandbox.my_commands(language_code=language)
        assert everyone and "console" not in {c["command"] for c in everyone}


@pytest.mark.parametrize("url", ["hotline.example.org", "ftp://hotline.example.org",
                                 "https://hotline.example.org/?next=x", "https:// spaced"])
def test_a_malformed_console_url_is_one_clear_sentence(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^HOTLINE_CONSOLE_URL must be the public base URL"):
        load_settings(_env_file=None, console_url=url)
    assert load_settings(_env_file=None, console_url="https://h.example.org/").console_url \
        == "https://h.example.org"
