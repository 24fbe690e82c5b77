"""Staff actions taken in the bot and on the command line go to the same audit log as the
console's, under the same action keys, with who, when, what and where; the admin page at
/console/audit lists them all and filters them by channel."""

from __future__ import annotations

import asyncio
import html
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.audit import COMMAND_LINE_ACTOR
from storage.models import Role, utcnow
from storage.repositories.audit import AuditFilter, AuditRecord
from tests.console_support import console_base, signed_in_client
from tests.driver import buttons, person, press, press_data, say, wait_edit, wait_reply
from tests.hotline_support import ask, expert, latest_case, social_worker, submit
from tests.ideas_helpers import resident_idea
from tests.support import quiet_clock, running_hotline, settings_for, staff_forum_group
from tests.trainings_support import NOW, course_plan


async def only_entry(hotline: Hotline, action: str) -> AuditRecord:
    entries, total = await hotline.services.audit.search(AuditFilter(action=action), 1, 10)
    assert total == 1, f"{action}: {entries}"
    return entries[0]


def assert_recent(entry: AuditRecord) -> None:
    assert utcnow() - timedelta(minutes=5) < entry.at <= utcnow()


async def page_of(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url, allow_redirects=False) as response:
        assert response.status == 200, await response.text()
        return html.unescape(await response.text())


def table_of(page: str) -> str:
    """The listed entries only (the filter's options name every action too)."""
    return page[page.index("<tbody>"):page.index("</tbody>")]


async def finished(sandbox: SandboxClient, user_id: int) -> None:
    """Waits until the bot has handled everything this person sent: updates of one chat are
    handled in order, so the answer to /help comes after the earlier update's work is done."""
    await say(sandbox, user_id, "/help")


async def broadcast_from_the_bot(hotline: Hotline, sandbox: SandboxClient, staff_id: int) -> None:
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["events"])
    topics = await say(sandbox, staff_id, "/announce", expect="Choose the topic")
    await press(sandbox, staff_id, topics, "Events", expect="title")
    await say(sandbox, staff_id, "Carnival", expect="Send the text")
    attach = await say(sandbox, staff_id, "Saturday in the park", expect="Send a photo")
    link = await press(sandbox, staff_id, attach, "Skip", expect="Send a link")
    audience = await press(sandbox, staff_id, link, "Skip", expect="Audience")
    when = await press(sandbox, staff_id, audience, "Next", expect="When?")
    confirm = await press(sandbox, staff_id, when, "Send now", expect="Send it?")
    await press_data(sandbox, staff_id, confirm, "ann:send")
    await wait_reply(sandbox, reader["id"], "Carnival")
    await finished(sandbox, staff_id)


async def review_in_the_bot(hotline: Hotline, sandbox: SandboxClient, staff_id: int) -> str:
    author = await person(sandbox, hotline, "Lin", first="/start")
    idea = await resident_idea(hotline, author["id"], "Shade trees")
    card = await say(sandbox, staff_id, f"/review {idea.reference}", expect=idea.reference)
    prompt = await press(sandbox, staff_id, card, "→ Under review", expect="Moving")
    apply = next(d for _, d in buttons(prompt) if d.startswith("ideas:rv:apply:"))
    await press_data(sandbox, staff_id, prompt, apply)
    await wait_reply(sandbox, staff_id, "History", after=prompt["message_id"])
    return idea.reference


async def reassign_in_the_staff_group(hotline: Hotline, sandbox: SandboxClient,
                                      staff_id: int, group_id: int) -> tuple[str, int]:
    wang = await expert(hotline, sandbox, "Wang", "policy")  # not on the roster
    asker = await social_worker(hotline, sandbox, "Emma")
    # Nobody is on duty for policy questions: the case waits in the staff group's topic.
    await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Who decides?"))
    card = await wait_reply(sandbox, group_id,
                            lambda m: any(d.startswith("hotline:reassign:") for _, d in buttons(m)),
                            after=0)
    reassign = next(d for _, d in buttons(card) if d.startswith("hotline:reassign:"))
    await press_data(sandbox, staff_id, card, reassign)
    menu = await wait_reply(sandbox, group_id, "Which expert")
    [(_, choice)] = buttons(menu)
    await press_data(sandbox, staff_id, menu, choice)
    await wait_edit(sandbox, group_id, menu["message_id"])
    case = await latest_case(hotline, asker["id"])
    assert case.expert_id == wang["id"]
    return case.number, wang["id"]


async def test_staff_actions_in_the_bot_are_audited_and_shown_to_admins(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staff, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        sent = await sandbox.send_text(staff["id"], "/start")
        await wait_reply(sandbox, staff["id"], after=sent["message_id"])
        await hotline.services.people.grant(staff["id"], Role.STAFF)

        await broadcast_from_the_bot(hotline, sandbox, staff["id"])
        sent_entry = await only_entry(hotline, "announcements.send")
        record = (await hotline.services.announcements.latest(1))[0]
        assert (sent_entry.telegram_id, sent_entry.channel) == (staff["id"], "bot")
        assert sent_entry.target == f"announcement {record.id}"
        assert json.loads(sent_entry.detail)["title"] == "Carnival"
        assert json.loads(sent_entry.detail)["recipients"] == 1
        assert_recent(sent_entry)

        reference = await review_in_the_bot(hotline, sandbox, staff["id"])
        status_entry = await only_entry(hotline, "ideas.status")
        assert (status_entry.telegram_id, status_entry.channel) == (staff["id"], "bot")
        assert status_entry.target == reference
        detail = json.loads(status_entry.detail)
        assert (detail["from"], detail["to"], detail["published"]) == (
            "submitted", "under_review", True)
        assert_recent(status_entry)

        number, wang_id = await reassign_in_the_staff_group(hotline, sandbox, staff["id"],
                                                            group["id"])
        case_entry = await only_entry(hotline, "cases.reassign")
        assert (case_entry.telegram_id, case_entry.channel) == (staff["id"], "bot")
        assert case_entry.target == number
        detail = json.loads(case_entry.detail)
        assert detail["expert"] == [None, wang_id]
        assert detail["status"] == ["offered", "open"]
        assert_recent(case_entry)

        admin = await person(sandbox, hotline, "Admin Yang", role=Role.ADMIN)
        async with await signed_in_client(hotline, sandbox, admin["id"]) as client:
            page = await page_of(client, f"{console_base(hotline)}/audit")
            rows = table_of(page)
            for action in ("announcements.send", "ideas.status", "cases.reassign"):
                assert action in rows
            # Each entry as a sentence in the viewer's language, its target linked.
            idea = await hotline.services.ideas.find(reference)
            assert (f'Staff Zhou sent <a href="/console/announcements/{record.id}">'
                    f"announcement #{record.id}</a>") in rows
            assert (f'Staff Zhou changed the status of idea <a href="/console/ideas/{idea.id}">'
                    f"{reference}</a>") in rows
            assert (f'Staff Zhou reassigned case <a href="/console/cases/{number}">{number}</a>'
                    " to Wang") in rows
            assert "<th>Channel</th>" in page
            # The channel filter: the bot's three rows, without the console's sign-in.
            page = await page_of(client, f"{console_base(hotline)}/audit?channel=bot")
            assert "Entries found: 3 " in page and "console.sign_in" not in table_of(page)
            assert table_of(page).count('<td class="channel-bot">Bot</td>') == 3
            page = await page_of(client, f"{console_base(hotline)}/audit?channel=console")
            assert "Entries found: 1 " in page and "console.sign_in" in table_of(page)
            async with client.get(f"{console_base(hotline)}/audit?channel=fax") as response:
                assert response.status == 400
                assert "Please choose from the list." in await response.text()
    finally:
        await hotline.stop()


ROOT = Path(__file__).resolve().parents[1]


async def run_cli(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`hotline ...` as an operator runs it on the server: its own process, the bot's database.
    Waited for in a thread, so that the bot running in this event loop goes on meanwhile."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOTLINE_DATABASE_URL": database_url}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd,
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result


async def test_a_role_granted_on_the_command_line_is_audited_and_shown_to_admins(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    settings = settings_for(sandbox_server, tmp_path)
    work = tmp_path / "operator"
    work.mkdir()
    # The operator works on the server while the bot runs, then admins look.
    url = settings.database_url
    hotline = await build_hotline(settings, clock=quiet_clock)
    await hotline.start()
    try:
        assert (await run_cli(url, work, "users", "grant", "424242", "staff")).stdout == (
            "424242 is now staff\n")
        # Granting a role already held changes nothing, and leaves no row.
        assert (await run_cli(url, work, "users", "grant", "424242", "staff")).stdout == (
            "424242 already was staff\n")
        (work / "plan.csv").write_text("telegram_id,categories,days,start,end\n",
                                       encoding="utf-8")
        # A file with only its header empties the plan only when asked to (issue 13, 16).
        assert (await run_cli(url, work, "roster", "import", "plan.csv",
                              "--allow-empty")).stdout == "imported 0 shifts\n"
        grant = await only_entry(hotline, "users.grant")
        assert (grant.telegram_id, grant.channel, grant.target) == (
            COMMAND_LINE_ACTOR, "cli", "424242")
        detail = json.loads(grant.detail)
        assert detail["role"] == "staff" and "@" in detail["operator"]
        assert_recent(grant)
        imported = await only_entry(hotline, "roster.import")
        assert imported.channel == "cli" and imported.target == "plan.csv"

        admin = await person(sandbox, hotline, "Admin Yang", role=Role.ADMIN)
        async with await signed_in_client(hotline, sandbox, admin["id"]) as client:
            page = await page_of(client, f"{console_base(hotline)}/audit?channel=cli")
            rows = table_of(page)
            assert "Entries found: 2 " in page and "users.grant" in rows and "424242" in rows
            assert "Server command line" in rows
            assert '<td class="channel-cli">Command line' in rows
            assert detail["operator"] in rows
            page = await page_of(client,
                                 f"{console_base(hotline)}/audit?who={COMMAND_LINE_ACTOR}")
            assert "Entries found: 2 " in page
    finally:
        await hotline.stop()


async def test_staff_take_over_and_close_are_audited_but_an_experts_own_close_is_not(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staff, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await say(sandbox, staff["id"], "/start")
        await hotline.services.people.grant(staff["id"], Role.STAFF)
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Who decides?"))
        card = await wait_reply(
            sandbox, group["id"], after=0,
            expect=lambda m: any(d.startswith("hotline:takeover:") for _, d in buttons(m)))
        take_over = next(d for _, d in buttons(card) if d.startswith("hotline:takeover:"))
        taken = await press_data(sandbox, staff["id"], card, take_over)
        assert taken["answer"]["text"] == "Claimed: the question is yours."
        case = await latest_case(hotline, asker["id"])
        entry = await only_entry(hotline, "cases.take_over")
        assert (entry.telegram_id, entry.channel, entry.target) == (
            staff["id"], "bot", case.number)
        assert json.loads(entry.detail)["expert"] == [None, staff["id"]]

        await wait_reply(sandbox, staff["id"], "Who decides")
        await say(sandbox, staff["id"], "/close", expect="closed")
        entry = await only_entry(hotline, "cases.close")
        assert (entry.telegram_id, entry.target) == (staff["id"], case.number)
        assert json.loads(entry.detail)["status"] == ["open", "closed"]

        # An expert closing their own case is their daily work, not a staff action.
        wang = await expert(hotline, sandbox, "Wang", "policy")
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "And who pays?"))
        await wait_reply(sandbox, group["id"], "C-2026-0002")
        await hotline.services.hotline.cases.reassign(
            (await latest_case(hotline, asker["id"])).id, wang["id"])
        await wait_reply(sandbox, wang["id"], "And who pays?")
        await say(sandbox, wang["id"], "/close", expect="closed")
        _, total = await hotline.services.audit.search(AuditFilter(action="cases.close"), 1, 10)
        assert total == 1
    finally:
        await hotline.stop()


async def test_course_changes_attendance_and_cancelling_in_the_bot_are_audited(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(capacity=1), None)
    staff = await person(sandbox, hotline, "Staff Qin", role=Role.STAFF, first="/start")
    ann = await person(sandbox, hotline, "Ann", first="/start")
    await trainings.register(course_id, ann["id"], frozenset({"resident"}))

    refused = await say(sandbox, staff["id"], f"/training_edit {course_id} capacity 0")
    assert refused["text"] == "Capacity: must be between 1 and 1000."
    await say(sandbox, staff["id"], f"/training_edit {course_id} capacity 3",
              expect="is changed")
    await say(sandbox, staff["id"], f"/training_attend {course_id} 1 {ann['id']}",
              expect="Marked")
    confirm = await say(sandbox, staff["id"], f"/training_cancel {course_id}",
                        expect="Cancel “")
    await press_data(sandbox, staff["id"], confirm, f"trainings:cancelcourse:{course_id}")
    await finished(sandbox, staff["id"])

    edit = await only_entry(hotline, "trainings.edit")  # the refused edit left no row
    assert (edit.telegram_id, edit.channel, edit.target) == (
        staff["id"], "bot", f"course {course_id}")
    assert json.loads(edit.detail) == {"field": "capacity", "value": "3", "told": 1}
    attended = await only_entry(hotline, "trainings.attendance")
    assert json.loads(attended.detail) == {"session": 1, "person": ann["id"]}
    cancelled = await only_entry(hotline, "trainings.cancel")
    assert json.loads(cancelled.detail) == {"title": "社工考试辅导班", "told": 1}
