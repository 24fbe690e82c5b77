"""Who receives an announcement: the topic's subscribers, narrowed by role, kind and street;
the latest announcements and their deep links; the command line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.announcements.broadcasts import Draft
from storage.models import Role
from tests.announcements_support import progress_when
from tests.driver import labels, person, say, wait_reply

ROOT = Path(__file__).resolve().parent.parent


async def test_the_audience_filter_picks_the_right_people(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    people = hotline.services.people
    subs = hotline.services.subscriptions
    users = {name: (await sandbox.add_user(name, language_code="en"))["id"]
             for name in ("worker_any", "worker_care", "worker_seed", "res_taihe", "res_wujing",
                          "res_nostreet", "not_subscribed", "blocked")}
    for name, telegram_id in users.items():
        await hotline.services.subscriptions.subscribe(telegram_id, [])  # a preferences row
        await people.grant(telegram_id, Role.SOCIAL_WORKER if name.startswith("worker")
                           else Role.RESIDENT)
        if name != "not_subscribed":
            await subs.subscribe(telegram_id, ["projects"])
    await subs.toggle_kind(users["worker_care"], "elderly_care")
    await subs.toggle_kind(users["worker_seed"], "seed_funding")
    await subs.set_street(users["res_taihe"], "太和街道")
    await subs.set_street(users["res_wujing"], "吴井街道")
    await subs.mark_unreachable(users["blocked"], "blocked")

    def draft(**audience: object) -> Draft:
        return Draft(author_id=None, topic="projects", title="t", body_html="b", **audience)

    async def audience(d: Draft) -> set[str]:
        recipients = await hotline.services.announcements.recipients(d)
        by_id = {v: k for k, v in users.items()}
        return {by_id[r.chat_id] for r in recipients}

    everyone = {"worker_any", "worker_care", "worker_seed", "res_taihe", "res_wujing",
                "res_nostreet"}
    assert await audience(draft()) == everyone
    assert await audience(draft(roles=frozenset({"social_worker"}))) == {
        "worker_any", "worker_care", "worker_seed"}
    assert await audience(draft(details={"kind": "elderly_care"})) == everyone - {"worker_seed"}
    assert await audience(draft(streets=frozenset({"太和街道"}))) == {"res_taihe"}
    assert await audience(draft(roles=frozenset({"resident"}),
                                streets=frozenset({"太和街道", "吴井街道"}))) == {
        "res_taihe", "res_wujing"}
    assert await hotline.services.announcements.count_recipients(draft()) == 6


async def test_latest_announcements_and_their_deep_links(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    reader = await person(sandbox, hotline, "Ann", first="/start")
    empty = await say(sandbox, reader["id"], "/announcements")
    assert empty["text"] == "There are no announcements yet."
    record = await hotline.services.announcements.publish(Draft(
        author_id=None, topic="events", title="<Carnival>", body_html="Saturday &amp; Sunday"))
    listing = await say(sandbox, reader["id"], "/announcements", expect="Latest")
    assert "Events\n<Carnival>" in listing["text"]
    link = next(e["url"] for e in listing["entities"] if e["type"] == "text_link")
    assert link == f"https://t.me/{hotline.application.bot.username}?start=a{record.id}"
    opened = await say(sandbox, reader["id"], f"/start a{record.id}", expect="📢")
    assert opened["text"] == "📢 Events\n<Carnival>\n\nSaturday & Sunday"
    for payload in ("a999", "a1x", "a" + "9" * 40):
        missing = await say(sandbox, reader["id"], f"/start {payload}")
        assert missing["text"].startswith("This announcement cannot be found")


async def _cli(tmp_path: Path, *args: str, stdin: str = "",
               **settings: str) -> subprocess.CompletedProcess:
    """Runs `hotline ...` in a thread: the sandbox it may talk to runs in this event loop."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **settings}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env,
        input=stdin, capture_output=True, text=True, timeout=60, check=False)


async def test_announce_from_the_command_line(hotline: Hotline, sandbox: SandboxClient,
                                              tmp_path: Path) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    body = tmp_path / "body.txt"
    body.write_text("New <rules> for community funds.", encoding="utf-8")
    refused = await _cli(tmp_path, "announce", "--topic", "nonsense", "--title", "T",
                   "--body-file", str(body))
    assert refused.returncode == 2 and "unknown topic 'nonsense'" in refused.stderr
    declined = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Fund rules",
                    "--body-file", str(body), stdin="n\n")
    assert declined.returncode == 1 and "1 recipients" in declined.stdout
    assert "nothing was sent" in declined.stdout
    done = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Fund rules",
                "--body-file", str(body), "--yes")
    assert done.returncode == 0, done.stderr
    assert "announcement 1 queued for 1 recipients" in done.stdout
    hotline.services.delivery.wake()  # the CLI is another process: the sender polls too
    received = await wait_reply(sandbox, reader["id"], lambda m: m["text"].startswith("📢"),
                                timeout=10)
    assert received["text"] == "📢 Policy news\nFund rules\n\nNew <rules> for community funds."
    await progress_when(hotline.services, 1, lambda p: p.remaining == 0)
    status = await _cli(tmp_path, "announce", "status", "1")
    assert "recipients 1: sent 1, blocked 0, failed 0, remaining 0" in status.stdout

    # A photo file is uploaded to the first admin (their preview), then sent by file_id.
    photo = tmp_path / "poster.png"
    photo.write_bytes(PNG)
    refused = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Poster",
                   "--body-file", str(body), "--photo", str(photo), "--yes")
    assert refused.returncode == 2 and "HOTLINE_ADMIN_IDS" in refused.stderr
    server = hotline.settings
    done = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Poster",
                "--body-file", str(body), "--photo", str(photo), "--yes",
                HOTLINE_BOT_TOKEN=server.bot_token.get_secret_value(),
                HOTLINE_API_BASE_URL=server.api_base_url,
                HOTLINE_API_FILE_BASE_URL=server.file_base_url,
                HOTLINE_ADMIN_IDS=str(staff["id"]))
    assert done.returncode == 0, done.stderr
    hotline.services.delivery.wake()
    poster = await wait_reply(sandbox, reader["id"], lambda m: "Poster" in (m.get("caption") or ""),
                              timeout=10)
    assert poster["photo"] and poster["caption"].startswith("📢 Policy news\nPoster")
    preview = (await sandbox.bot_messages(staff["id"]))[-1]
    assert preview["photo"][-1]["file_id"] == poster["photo"][-1]["file_id"]


# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


async def test_staff_edit_the_topics_as_data(hotline: Hotline, sandbox: SandboxClient,
                                             tmp_path: Path) -> None:
    added = await _cli(tmp_path, "topics", "set", "housing", "--zh", "住房保障",
                       "--en", "Housing support")
    assert added.returncode == 0 and "topic housing added" in added.stdout
    refused = await _cli(tmp_path, "topics", "set", "Bad Key", "--zh", "x", "--en", "y")
    assert refused.returncode == 2 and "lowercase letters" in refused.stderr
    reader = await person(sandbox, hotline, "Ann", first="/start")
    menu = await say(sandbox, reader["id"], "/subscribe")
    assert "☐ Housing support" in labels(menu)
