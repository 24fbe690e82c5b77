"""The roster keeping itself covered (issue 15 items 2, 3, 7; issue 12 item 5), through the
sandbox with the bot's clock set (tests.support.quiet_clock: Wednesday 10 June 2026, 12:00
in Shanghai): a gap made by /duty off announced once, a swap two experts accept at the same
moment, an offer withdrawn when its shift starts, an expert told of a staff change, and a
refused CSV told with the same words in the bot and at the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.app import Hotline, build_hotline, build_services
from bot.settings import SUPPORTED_LOCALES
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import announce_gaps, check_roster_duty
from services.actors import Actor
from services.hotline.experts import ExpertService
from services.hotline.roster import RosterService
from services.hotline.roster_coverage import CoverageWatch
from services.hotline.roster_swaps import PICK, TAKE, WITHDRAW
from services.people import PeopleService
from services.texts import Texts
from storage.db import Database
from storage.models import Role, utcnow
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.roster_duty import RosterDutyRepository
from storage.repositories.users import UserRepository
from tests.console_support import console_base, signed_in_client
from tests.driver import buttons, person, press_data, say, wait_reply, with_buttons
from tests.hotline_support import expert, roster
from tests.support import quiet_clock, running_hotline, settings_for, staff_forum_group
from tests.test_audit_bot_actions import page_of
from tests.test_cli import errors
from tests.test_cli import hotline as command_line

TODAY = date(2026, 6, 10)  # quiet_clock's day: a Wednesday
STARTS_AT_TWO = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


async def test_a_gap_made_by_duty_off_is_announced_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        wang = await expert(hotline, sandbox, "王伟", "legal")
        await expert(hotline, sandbox, "李娜", "legal")
        await roster(hotline, f"{wang['id']},legal,workdays,09:00,17:00")
        # Planned cover is no gap: nothing to tell.
        assert await announce_gaps(hotline.services) == 0
        await say(sandbox, wang["id"], "/duty off")
        notice = await wait_reply(sandbox, group["id"], "值班空缺", after=0)
        text = notice["text"]
        # The group speaks the bureau's language; the days are the working days of the next
        # two weeks (the Dragon Boat Festival on 19 June and the weekends are none).
        assert "2026-06-11，法律：09:00–17:00 无人值班。" in text
        assert "可以顶班：李娜" in text and "王伟" not in text.split("可以顶班")[1]
        assert "2026-06-19" not in text and "2026-06-13" not in text
        assert text.count("• ") == 9  # 10-12, 15-18, 22-23 June
        # Another daily run, and a restart, name it no more.
        assert await announce_gaps(hotline.services) == 0
        # The console's roster page shows the same gaps, in the viewer's language.
        staffer = await person(sandbox, hotline, "Staff Qian", role=Role.STAFF)
        async with await signed_in_client(hotline, sandbox, staffer["id"]) as client:
            page = await page_of(client, f"{console_base(hotline)}/roster")
        listed = page[page.index('id="coverage-gaps"'):page.index("</section>",
                                                               page.index("coverage-gaps"))]
        assert "2026-06-11, Legal: 09:00–17:00 uncovered. Could cover: 李娜" in listed
        assert listed.count("uncovered") == 9
    finally:
        await hotline.stop()
    again = await build_hotline(settings_for(sandbox_server, tmp_path,
                                             staff_chat_id=group["id"]), clock=quiet_clock)
    await again.start()
    try:
        assert await announce_gaps(again.services) == 0
        gaps = [m for m in await sandbox.bot_messages(group["id"]) if "值班空缺" in m["text"]]
        assert gaps == [notice]
    finally:
        await again.stop()


async def _swap_offer(hotline: Hotline, sandbox: SandboxClient, offerer: dict,
                      day: date, start: str, *, on_behalf_of: dict | None = None) -> None:
    """`/duty swap` (staff: with the expert's id), then the button of that shift."""
    uid = offerer["id"]
    owner = (on_behalf_of or offerer)["id"]
    picker = await say(sandbox, uid, "/duty swap" + (f" {owner}" if on_behalf_of else ""),
                       with_buttons)
    data = f"{PICK}:{owner}:{day:%Y%m%d}:{start.replace(':', '')}"
    assert data in [d for _, d in buttons(picker)]
    pressed = await press_data(sandbox, uid, picker, data)
    assert not (pressed["answer"] or {}).get("show_alert")


async def test_a_swap_is_taken_by_exactly_one_of_two_experts_pressing_at_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        wang = await expert(hotline, sandbox, "Wang Wei", "legal")
        li = await expert(hotline, sandbox, "Li Na", "legal")
        zhao = await expert(hotline, sandbox, "Zhao Min", "legal,finance")
        await roster(hotline, f"{wang['id']},legal,daily,14:00,18:00")
        thursday = TODAY + timedelta(days=1)
        await _swap_offer(hotline, sandbox, wang, thursday, "14:00")
        offers = [await wait_reply(
            sandbox, person["id"], lambda m: any(d.startswith(TAKE) for _, d in buttons(m)))
            for person in (li, zhao)]
        assert all("Wang Wei offers a shift" in o["text"] and "2026-06-11, 14:00–18:00"
                   in o["text"] for o in offers)
        (accept,) = [d for _, d in buttons(offers[0])]
        presses = await asyncio.gather(*(
            press_data(sandbox, person["id"], offer, accept)
            for person, offer in zip((li, zhao), offers, strict=True)))
        refused = [p for p in presses if (p["answer"] or {}).get("show_alert")]
        assert len(refused) == 1
        assert refused[0]["answer"]["text"] == "Someone else took this shift already."
        winner = li if presses[1] is refused[0] else zhao
        # The overrides record it: Wang off that day, the winner on for the shift.
        duties = await hotline.services.hotline.roster.duties_on(thursday)
        assert [(d.telegram_id, d.start, d.end, d.categories, d.override) for d in duties] == [
            (winner["id"], "14:00", "18:00", ("legal",), True)]
        told = await wait_reply(sandbox, wang["id"], "took your shift", after=0)
        assert told["text"].startswith(f"{'Li Na' if winner is li else 'Zhao Min'} took")
        staff = await wait_reply(sandbox, group["id"], "接下了", after=0)
        assert "Wang Wei 在 2026-06-11 14:00–18:00 的班次" in staff["text"]
        # A forged press (an offer id that never existed) changes nothing.
        forged = await press_data(sandbox, li["id"], offers[0], f"{TAKE}:999", forged=True)
        assert forged["answer"]["text"] == "This offer does not exist any more."
        # The offerer may withdraw an open offer; an Accept after it changes nothing.
        friday = TODAY + timedelta(days=2)
        await _swap_offer(hotline, sandbox, wang, friday, "14:00")
        mine = await wait_reply(
            sandbox, wang["id"], lambda m: any(d.startswith(WITHDRAW) for _, d in buttons(m)),
            after=told["message_id"])
        (withdraw,) = [d for _, d in buttons(mine)]
        await press_data(sandbox, wang["id"], mine, withdraw)
        done = await wait_reply(sandbox, wang["id"], "You withdrew")
        assert "2026-06-12, 14:00–18:00" in done["text"]
        late = await wait_reply(
            sandbox, li["id"], lambda m: any(d.startswith(TAKE) for _, d in buttons(m)),
            after=offers[0]["message_id"])
        (accept,) = [d for _, d in buttons(late)]
        pressed = await press_data(sandbox, li["id"], late, accept)
        assert pressed["answer"]["text"] == "This offer was withdrawn."
        assert [d.telegram_id for d in
                await hotline.services.hotline.roster.duties_on(friday)] == [wang["id"]]
    finally:
        await hotline.stop()


async def test_an_offer_nobody_takes_is_withdrawn_when_its_shift_starts(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        wang = await expert(hotline, sandbox, "Wang Wei", "legal")
        li = await expert(hotline, sandbox, "Li Na", "legal")
        await roster(hotline, f"{wang['id']},legal,daily,14:00,18:00")
        # An expert cannot offer someone else's shift; staff can, on their behalf.
        refused = await say(sandbox, li["id"], f"/duty swap {wang['id']}")
        assert refused["text"] == "Only the expert whose shift it is, or staff, can offer it."
        staffer = await person(sandbox, hotline, "Staff Qian", role=Role.STAFF)
        await _swap_offer(hotline, sandbox, staffer, TODAY, "14:00", on_behalf_of=wang)
        offer = await wait_reply(
            sandbox, li["id"], lambda m: any(d.startswith(TAKE) for _, d in buttons(m)))
        # A minute before the shift it stays open; at its start it is withdrawn, once.
        assert await check_roster_duty(hotline.services,
                                       STARTS_AT_TWO - timedelta(minutes=1)) == 0
        assert await check_roster_duty(hotline.services, STARTS_AT_TWO) == 1
        assert await check_roster_duty(hotline.services, STARTS_AT_TWO) == 0
        warning = await wait_reply(sandbox, group["id"], "换班无人接", after=0)
        assert "Wang Wei 在 2026-06-10 14:00–18:00 的班次开班前无人接班" in warning["text"]
        told = await wait_reply(sandbox, wang["id"], "Nobody took", after=0)
        assert "2026-06-10, 14:00–18:00" in told["text"]
        (accept,) = [d for _, d in buttons(offer)]
        late = await press_data(sandbox, li["id"], offer, accept)
        assert late["answer"]["text"] == "This offer was withdrawn." or (
            late["answer"]["text"] == "This shift has started: the offer is closed.")
        # Wang is still on duty as planned.
        assert [d.telegram_id for d in await hotline.services.hotline.roster.duties_on(TODAY)
                ] == [wang["id"]]
    finally:
        await hotline.stop()


async def test_an_expert_is_told_when_staff_change_their_shifts(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang Wei", "legal")
        zhao = await expert(hotline, sandbox, "赵敏", "legal", language="zh-hans")
        await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00")
        actions = hotline.services.hotline.roster_actions
        day = utcnow().astimezone(hotline.services.hotline.roster.zone).date() + timedelta(
            days=3)
        staff_member = Actor.in_console(4242)
        leave = await actions.add_override(staff_member, day, wang["id"], "off")
        told = await wait_reply(sandbox, wang["id"], "Staff changed", after=0)
        assert told["text"] == f"Staff changed your duty: you are off duty on {day}."
        await actions.remove_override(staff_member, leave)
        told = await wait_reply(sandbox, wang["id"], "Staff changed", after=told["message_id"])
        assert told["text"] == (f"Staff changed your duty: your leave on {day} is "
                                "cancelled; your usual shifts apply.")
        # A change at the command line (no bot there) is told by the running bot's check.
        offline = build_services(hotline.settings, hotline.services.database)
        await offline.hotline.roster_actions.add_override(
            Actor.command_line("ops@server"), day, zhao["id"], "on", ("legal",), "13:00",
            "17:00")
        await check_roster_duty(hotline.services)
        told = await wait_reply(sandbox, zhao["id"], "工作人员")
        assert told["text"] == f"工作人员调整了您的值班：{day} 13:00–17:00 由您值班（法律）。"
    finally:
        await hotline.stop()


async def test_a_refused_roster_file_reads_the_same_in_the_bot_and_the_cli(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    bad = "telegram_id,categories,days,start,end\n1,legal,daily,09:00\n"
    (tmp_path / "bot").mkdir()
    hotline = await running_hotline(sandbox_server, tmp_path / "bot")
    try:
        staffer = await person(sandbox, hotline, "Staff Zhou", role=Role.STAFF, first="/start")
        sent = await sandbox.send_document(staffer["id"], bad.encode(), "plan.csv",
                                           caption="/roster")
        answer = await wait_reply(sandbox, staffer["id"], after=sent["message_id"])
    finally:
        await hotline.stop()
    (tmp_path / "plan.csv").write_text(bad, encoding="utf-8")
    assert command_line(tmp_path, "db", "upgrade").returncode == 0
    refused = command_line(tmp_path, "roster", "import", "plan.csv")
    assert refused.returncode == 2
    reason = "Line 2: expected 5 columns, found 4."
    assert answer["text"] == f"The file was refused. {reason} The roster is unchanged."
    assert errors(refused).strip() == f"hotline: plan.csv: {reason} The roster is unchanged."
    # In Chinese, the same refusal in the same words as a Chinese-speaking staff member sees.
    chinese = command_line(tmp_path, "roster", "--locale", "zh_CN", "import", "plan.csv")
    assert "第 2 行：应有 5 列，实际 4 列。" in errors(chinese)


async def test_only_the_planned_hours_nobody_covers_are_a_gap(database: Database) -> None:
    people = PeopleService(UserRepository(database), "zh_CN", ())
    repository = RosterRepository(database)
    experts = ExpertService(repository, people, Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    await experts.add(1, "王伟", ["legal"])
    await experts.add(2, "李娜", ["legal"])
    roster_service = RosterService(repository, "Asia/Shanghai")
    coverage = CoverageWatch(repository, RosterDutyRepository(database), roster_service,
                             experts)
    await roster_service.import_file("telegram_id,categories,days,start,end\n"
                                     "1,legal,workdays,09:00,17:00\n")
    assert await coverage.gaps(TODAY) == []
    thursday = TODAY + timedelta(days=1)
    await roster_service.add_override(thursday, 1, "off")
    await roster_service.add_override(thursday, 2, "on", ("legal",), "08:00", "10:00")
    await roster_service.add_override(thursday, 2, "on", ("legal",), "12:00", "13:30")
    (gap,) = await coverage.gaps(TODAY)
    assert (gap.category, gap.day, gap.hours_text) == (
        "legal", thursday, "10:00–12:00, 13:30–17:00")
    # Li works that day, so she can cover; Wang is on leave.
    assert [e.telegram_id for e in gap.could_cover] == [2]
