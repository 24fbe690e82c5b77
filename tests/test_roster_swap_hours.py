"""A swapped shift is the offered shift only (issue 15 item 3): an expert with two shifts on
a day who swaps one keeps the other, and is off (not even a backup) only during the hours
they gave away. Through the sandbox, the bot's clock set (tests.support.quiet_clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.actors import Actor
from services.hotline.roster_swaps import TAKE
from tests.driver import buttons, press_data, wait_reply
from tests.hotline_support import expert, roster
from tests.support import running_hotline
from tests.test_roster_duty import TODAY, _swap_offer


async def test_swapping_one_of_two_shifts_on_a_day_keeps_the_other(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang Wei", "legal")
        li = await expert(hotline, sandbox, "Li Na", "legal")
        await roster(hotline, f"{wang['id']},legal,daily,09:00,12:00",
                     f"{wang['id']},legal,daily,14:00,18:00")
        thursday = TODAY + timedelta(days=1)
        await _swap_offer(hotline, sandbox, wang, thursday, "14:00")
        offer = await wait_reply(
            sandbox, li["id"], lambda m: any(d.startswith(TAKE) for _, d in buttons(m)))
        (accept,) = [d for _, d in buttons(offer)]
        pressed = await press_data(sandbox, li["id"], offer, accept)
        assert not (pressed["answer"] or {}).get("show_alert")
        await wait_reply(sandbox, wang["id"], "took your shift", after=0)

        roster_service = hotline.services.hotline.roster
        duties = await roster_service.duties_on(thursday)
        assert [(d.telegram_id, d.start, d.end) for d in duties] == [
            (wang["id"], "09:00", "12:00"), (li["id"], "14:00", "18:00")]
        # Wang still answers the morning; in the afternoon he is off, not even a backup.
        morning = datetime(2026, 6, 11, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
        afternoon = datetime(2026, 6, 11, 7, 0, tzinfo=UTC)  # 15:00
        assert await roster_service.on_duty("legal", morning) == [wang["id"]]
        assert wang["id"] not in await roster_service.on_leave(morning)
        assert await roster_service.on_duty("legal", afternoon) == [li["id"]]
        assert wang["id"] in await roster_service.on_leave(afternoon)
        # His own shifts that day, as /duty shows them: the morning one only.
        assert [(day, d.start) for day, d in await roster_service.shifts_of(
            wang["id"], thursday, 1)] == [(thursday, "09:00")]
        # Nobody's hours are uncovered: no gap for staff.
        assert [gap for gap in await hotline.services.hotline.coverage.gaps(TODAY)
                if gap.day == thursday] == []
        # Staff undo the swap's leave: Wang is told that shift is his again, in those words.
        (leave,) = [o for o in await hotline.services.hotline.roster_dates.overrides(
            thursday, thursday) if o.kind == "off"]
        await hotline.services.hotline.roster_actions.remove_override(
            Actor.in_console(4242), leave.id)
        told = await wait_reply(sandbox, wang["id"], "Staff changed")
        assert told["text"] == ("Staff changed your duty: your shift on 2026-06-11, "
                                "14:00–18:00 is yours again.")
    finally:
        await hotline.stop()
