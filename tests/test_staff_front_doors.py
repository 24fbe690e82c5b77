"""One front door per staff action (issue 12, items 3 and 4): the bot, the console and the
command line call the same service method for an idea's status, a course's cancellation and
an announcement's stop, so they refuse with the same words, and only a change is audited."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.actors import Actor
from services.announcements.broadcasts import Draft
from services.audit import COMMAND_LINE_ACTOR
from services.refusals import Refused
from storage.models import CourseStatus, Role
from storage.repositories.audit import AuditFilter
from tests.console_comms_support import page_tokens
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person, press_data, say
from tests.ideas_helpers import staff_actor, stored, submit_idea
from tests.trainings_support import NOW, course_plan

ROOT = Path(__file__).resolve().parents[1]


async def audit_count(hotline: Hotline, action: str) -> int:
    _entries, total = await hotline.services.audit.search(AuditFilter(action=action), 1, 10)
    return total


async def test_the_bot_and_the_console_refuse_a_stale_status_change_in_the_same_words(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    reviewer = await person(sandbox, hotline, "Officer", role=Role.STAFF)
    colleague = await person(sandbox, hotline, "Colleague", role=Role.STAFF)
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    card = await say(sandbox, reviewer["id"], f"/review {reference}", reference)
    panel = await press_data(sandbox, reviewer["id"], card,
                             f"ideas:rv:to:{idea.id}:submitted:accepted", "Moving")
    # Someone else moves the idea on while both the panel and the console page are open.
    await hotline.services.ideas.change_status(staff_actor(1), idea.id, "submitted",
                                               "under_review", None, True)
    words = hotline.services.texts.text("en", "ideas.refused.stale")

    answer = await press_data(sandbox, reviewer["id"], panel, f"ideas:rv:apply:{idea.id}")
    assert answer["answer"]["text"] == words

    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, colleague["id"]) as client:
        csrf, once = await page_tokens(client, f"{base}/ideas/{idea.id}")
        async with client.post(f"{base}/ideas/{idea.id}/status", allow_redirects=False, data={
                "csrf": csrf, "once": once, "expected": "submitted", "status": "accepted",
                "publish": "1", "answer": "Yes"}) as response:
            assert response.status == 400
            assert words in await response.text()

    assert (await stored(hotline, reference)).status == "under_review"
    assert await audit_count(hotline, "ideas.status") == 1  # the change, not the refusals


async def test_a_front_door_refuses_whoever_is_not_staff_whatever_the_edge_checked(
        hotline: Hotline) -> None:
    trainings = hotline.services.trainings
    trainings.clock.freeze(NOW)
    course_id = await trainings.create(course_plan(), None)
    resident = Actor.in_console(4242, frozenset({Role.RESIDENT.value}))
    with pytest.raises(Refused) as refused:
        await trainings.cancel_course(resident, course_id)
    assert refused.value.key == "auth.refused"
    with pytest.raises(Refused):
        await hotline.services.announcements.stop(resident, 1)
    assert (await trainings.course(course_id)).status == CourseStatus.OPEN
    assert await audit_count(hotline, "trainings.cancel") == 0

    await trainings.cancel_course(staff_actor(7), course_id)
    assert (await trainings.course(course_id)).status == CourseStatus.CANCELLED
    assert await audit_count(hotline, "trainings.cancel") == 1


async def test_the_command_line_refuses_to_stop_an_announcement_in_the_bots_words(
        hotline: Hotline, sandbox: SandboxClient, tmp_path: Path) -> None:
    # Nobody subscribed: the announcement is done at once, so nothing is left to stop.
    record = await hotline.services.announcements.publish(
        Draft(None, "policy", "Rent subsidy", "Apply now."))
    staff = await person(sandbox, hotline, "Officer", role=Role.STAFF)
    shown = next(m for m in reversed(await sandbox.messages(staff["id"]))
                 if m["from"]["is_bot"])
    answer = await press_data(sandbox, staff["id"], shown, f"ann:stop:{record.id}",
                              forged=True)
    bot_words = answer["answer"]["text"]
    assert bot_words == hotline.services.texts.text("en", "announce.cannot_stop")

    result = await run_cli(hotline, tmp_path, "announce", "cancel", str(record.id))
    assert result.returncode == 2
    # (Before it, the command names the database it opened.)
    assert result.stderr.splitlines()[-1] == f"hotline: announcement {record.id}: {bot_words}"
    assert await audit_count(hotline, "announcements.cancel") == 0


async def test_the_command_lines_changes_are_audited_by_the_same_doors(
        hotline: Hotline, tmp_path: Path) -> None:
    for args in (("topics", "set", "housing", "--zh", "住房保障", "--en", "Housing"),
                 ("ideas", "status", "parked", "--zh", "暂缓", "--en", "Parked",
                  "--position", "90", "--closed")):
        result = await run_cli(hotline, tmp_path, *args)
        assert result.returncode == 0, result.stderr
    for action, target in (("announcements.topic_set", "housing"),
                           ("ideas.status_set", "parked")):
        [row], _total = await hotline.services.audit.search(AuditFilter(action=action), 1, 10)
        assert (row.channel, row.telegram_id, row.target) == ("cli", COMMAND_LINE_ACTOR, target)
        assert "@" in json.loads(row.detail)["operator"]
    assert json.loads(row.detail)["open"] is False


async def run_cli(hotline: Hotline, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`hotline ...` on the running bot's database, waited for in a thread."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOTLINE_DATABASE_URL": hotline.settings.database_url}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd,
        capture_output=True, text=True, timeout=60, check=False)


async def test_the_console_stops_an_announcement_through_the_same_door(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Officer", role=Role.STAFF)
    await hotline.services.subscriptions.subscribe(staff["id"], ["policy"])
    when = NOW.replace(year=NOW.year + 5)  # far ahead: still scheduled when stopped
    record = await hotline.services.announcements.publish(
        Draft(None, "policy", "Rent subsidy", "Apply now.", send_at=when))
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        page = f"{base}/announcements/{record.id}"
        async with client.get(page) as response:
            csrf = csrf_of(await response.text())
        for _ in range(2):  # the second press finds it stopped: refused, not audited again
            async with client.post(f"{page}/cancel", data={"csrf": csrf},
                                   allow_redirects=False) as response:
                assert response.status == 303
    assert (await hotline.services.announcements.get(record.id)).state == "cancelled"
    assert await audit_count(hotline, "announcements.cancel") == 1
