"""Issue 15 on a case's way through the duty roster: declining an offer (it moves on at once),
a fallback per category before the staff group, low ratings reaching the staff topic, the
expert told their rating, /sample for staff, and an expert's own desk under /start."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import OWED_NOTICES_JOB_ID, send_owed_case_notices
from storage.models import CaseStatus, Role, utcnow
from storage.repositories.audit import AuditFilter
from storage.repositories.hotline_duty_cases import DutyCaseRepository
from storage.timestamps import as_utc
from tests.driver import buttons, press, press_data, say, wait_edit, wait_reply
from tests.hotline_support import (
    ALL_DAY,
    ask,
    expert,
    latest_case,
    offer_to,
    roster,
    social_worker,
    submit,
)
from tests.support import bot_idle, running_hotline, staff_forum_group

NOT_OFFERED = "This consultation was not offered to you; nothing was changed."


async def _staffed(server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
                   **settings: object) -> tuple[dict, dict, Hotline]:
    """A staff member (with a private chat) in the staff forum group the bot knows."""
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(server, tmp_path, staff_chat_id=group["id"], **settings)
    await say(sandbox, staffer["id"], "/start")
    await hotline.services.people.grant(staffer["id"], Role.STAFF)
    return staffer, group, hotline


def _staff_offer(message: dict) -> bool:
    return any(data.startswith("hotline:claim:") for _, data in buttons(message))


async def _claimed_and_closed(hotline: Hotline, sandbox: SandboxClient, wang: dict,
                              asker: dict, number: str) -> dict:
    """Asked, claimed by Wang and closed by him; the asker's rating message."""
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Is this contract fair?"))
    offer = await offer_to(sandbox, wang["id"], number)
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    card = await wait_reply(sandbox, wang["id"], "yours to answer")
    await press_data(sandbox, wang["id"], card, buttons(card)[0][1])
    return await wait_reply(sandbox, asker["id"], "is closed")


async def test_a_decline_moves_the_offer_on_at_once_and_is_recorded(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=600)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        li = await expert(hotline, sandbox, "Li", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Can we sign this?"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        case = await latest_case(hotline, asker["id"])
        # The offer says when it goes to others: its deadline in the hotline's time zone.
        until = as_utc(case.escalate_at).astimezone(hotline.services.hotline.roster.zone)
        # (the date comes first when the deadline falls on another day)
        assert "If nobody claims it by " in offer["text"]
        assert f"{until:%H:%M}, it goes to others." in offer["text"]
        assert [label for label, _ in buttons(offer)] == ["✋ Claim", "🙅 Decline"]

        # Li was never offered the case: a forged Decline is refused and changes nothing;
        # someone who answers nothing is refused by role.
        li_start = (await sandbox.bot_messages(li["id"]))[-1]
        forged = await press_data(sandbox, li["id"], li_start, f"hotline:decline:{case.id}",
                                  forged=True)
        assert forged["answer"] == {"text": NOT_OFFERED, "show_alert": True}
        emma_start = (await sandbox.bot_messages(asker["id"]))[0]
        stranger = await press_data(sandbox, asker["id"], emma_start,
                                    f"hotline:decline:{case.id}", forged=True)
        assert stranger["answer"]["text"] == "Sorry, you are not allowed to do that."
        assert (await latest_case(hotline, asker["id"])).escalation_level == 0
        repository = DutyCaseRepository(hotline.services.database)
        assert await repository.declines(case.id) == []

        declined = await press_data(sandbox, wang["id"], offer, buttons(offer)[1][1])
        assert declined["answer"]["text"] == (
            "Declined: consultation C-2026-0001 goes on to others.")
        # At once, long before the ten minutes: Li, the backup, has it and the asker knows.
        await offer_to(sandbox, li["id"], "C-2026-0001")
        await wait_reply(sandbox, asker["id"], "passed on")
        moved = await latest_case(hotline, asker["id"])
        assert (moved.status, moved.escalation_level) == (CaseStatus.OFFERED, 1)
        asking = await wait_edit(sandbox, wang["id"], offer["message_id"])
        assert asking["text"].startswith("You declined consultation C-2026-0001")
        assert [label for label, _ in buttons(asking)] == [
            "Busy right now", "Not my field", "Conflict of interest", "Skip"]
        [recorded] = await repository.declines(case.id)
        assert (recorded.expert_id, recorded.level, recorded.reason) == (wang["id"], 0, None)

        why = await press(sandbox, wang["id"], asking, "Not my field")
        assert why["answer"]["text"] == "Thank you, noted for consultation C-2026-0001."
        assert (await repository.declines(case.id))[0].reason == "not_my_field"
        twice = await press_data(sandbox, wang["id"], offer, f"hotline:why:{case.id}:busy",
                                 forged=True)
        assert twice["answer"]["text"] == (
            "Your answer about consultation C-2026-0001 is already noted.")
        assert (await repository.declines(case.id))[0].reason == "not_my_field"
        again = await press_data(sandbox, wang["id"], offer, f"hotline:decline:{case.id}",
                                 forged=True)
        assert again["answer"]["text"] == "You have already declined consultation C-2026-0001."
        assert len(await repository.declines(case.id)) == 1
        # The console's timeline of the case shows the decline.
        browser = hotline.services.hotline.case_browser
        timeline = await browser.timeline(await browser.detail("C-2026-0001"))
        assert ("declined", "Wang") in [(item.event.kind, item.event.who) for item in timeline
                                        if item.event is not None]
    finally:
        await hotline.stop()


async def test_nobody_on_duty_the_fallback_is_offered_first_then_staff(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group, hotline = await _staffed(sandbox_server, sandbox, tmp_path,
                                             claim_timeout=60)
    try:
        qian = await expert(hotline, sandbox, "Qian", "finance")
        asker = await social_worker(hotline, sandbox, "Emma")
        # Only staff name fallbacks.
        refused = await say(sandbox, asker["id"], "/fallback legal Qian")
        assert refused["text"] == "Sorry, you are not allowed to do that."
        unknown = await say(sandbox, staffer["id"], "/fallback nosuch Qian")
        assert unknown["text"] == ("There is no category “nosuch”. Send /fallback to see the "
                                   "categories.")
        saved = await say(sandbox, staffer["id"], "/fallback legal Qian")
        assert saved["text"] == "Qian is now the fallback for Legal."
        listing = await say(sandbox, staffer["id"], "/fallback")
        assert "Legal (legal): Qian" in listing["text"]
        assert "Finance (finance): none" in listing["text"]
        [entry], _ = await hotline.services.audit.search(
            AuditFilter(action="roster.fallback_set"), 1, 10)
        assert (entry.telegram_id, entry.target, entry.channel) == (staffer["id"], "legal",
                                                                    "bot")

        # Nobody is on duty for legal: Qian has the offer first, the staff group not yet.
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Urgent legal"))
        offer = await offer_to(sandbox, qian["id"], "C-2026-0001")
        assert "If nobody claims it by" in offer["text"]
        assert not [m for m in await sandbox.bot_messages(group["id"]) if _staff_offer(m)]
        case = await latest_case(hotline, asker["id"])
        assert (case.escalation_level, case.escalate_at is not None) == (0, True)

        # Its timeout passed: the whole staff group gets it.
        cases = hotline.services.hotline.cases
        assert await cases.escalate_due(utcnow() + timedelta(seconds=61)) == 1
        staff_offer = await wait_reply(sandbox, group["id"], _staff_offer, after=0)
        assert staff_offer["message_thread_id"] == case.staff_thread_id
        assert (await latest_case(hotline, asker["id"])).escalation_level == 2

        # Cleared, the next case goes straight to staff.
        cleared = await say(sandbox, staffer["id"], "/fallback legal off")
        assert cleared["text"].startswith("The fallback for legal is cleared")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Another one"))
        await wait_reply(sandbox, group["id"],
                         lambda m: _staff_offer(m) and "Another one" in m["text"],
                         after=staff_offer["message_id"])
        assert not [m for m in await sandbox.bot_messages(qian["id"])
                    if "C-2026-0002" in (m.get("text") or "")]
    finally:
        await hotline.stop()


async def test_a_one_star_rating_reaches_the_staff_topic_and_the_expert(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group, hotline = await _staffed(sandbox_server, sandbox, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        closed = await _claimed_and_closed(hotline, sandbox, wang, asker, "C-2026-0001")
        case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
        await press(sandbox, asker["id"], closed, "1★")
        link = f"{hotline.services.console.base_url}/console/cases/C-2026-0001"
        alert = await wait_reply(sandbox, group["id"], "⚠️", after=0)
        assert alert["message_thread_id"] == case.staff_thread_id
        # The group reads the default language, Chinese.
        assert alert["text"] == f"⚠️ 咨询 C-2026-0001 的评价为 ★。对话记录：{link}"
        told = await wait_reply(sandbox, wang["id"], "was rated")
        assert told["text"] == "Consultation C-2026-0001 that you answered was rated ★."

        prompt = await wait_reply(sandbox, asker["id"], "comment")
        await sandbox.send_text(asker["id"], "Not helpful <at all>")
        await wait_reply(sandbox, asker["id"], after=prompt["message_id"])
        follow = await wait_reply(sandbox, group["id"], "Not helpful", after=alert["message_id"])
        assert follow["message_thread_id"] == case.staff_thread_id
        assert follow["text"] == ("⚠️ 提问人对咨询 C-2026-0001（★）的留言：Not helpful <at all>\n"
                                  f"对话记录：{link}")
        comment = await wait_reply(sandbox, wang["id"], "Not helpful")
        assert comment["text"] == ("The asker's comment on consultation C-2026-0001 (★): "
                                   "Not helpful <at all>")
    finally:
        await hotline.stop()


async def test_rating_notices_a_kill_cut_off_are_sent_by_the_check_once(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The expert's and staff's notices are stored with the stars and the comment: killed
    right after either was kept, the running bot's check sends them, each once."""
    _staffer, group, hotline = await _staffed(sandbox_server, sandbox, tmp_path)
    hotline.application.job_queue.scheduler.pause_job(OWED_NOTICES_JOB_ID)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        closed = await _claimed_and_closed(hotline, sandbox, wang, asker, "C-2026-0001")
        ratings = hotline.services.hotline.duty_cases.ratings

        async def killed(_case_id: int) -> None:
            """The process stops right after the stars (or the comment) were kept."""

        monkeypatch.setattr(ratings, "rated", killed)
        monkeypatch.setattr(ratings, "commented", killed)
        await press(sandbox, asker["id"], closed, "1★")
        prompt = await wait_reply(sandbox, asker["id"], "comment")

        async def told() -> tuple[list[str], list[str]]:
            await bot_idle(hotline)
            return ([m["text"] for m in await sandbox.bot_messages(wang["id"])
                     if "C-2026-0001" in (m.get("text") or "") and "★" in m["text"]],
                    [m["text"] for m in await sandbox.bot_messages(group["id"])
                     if "⚠️" in (m.get("text") or "")])

        assert await told() == ([], [])
        assert sorted(await asyncio.gather(send_owed_case_notices(hotline.services),
                                           send_owed_case_notices(hotline.services))) == [0, 1]
        expert_told, staff_told = await told()
        assert expert_told == ["Consultation C-2026-0001 that you answered was rated ★."]
        assert len(staff_told) == 1 and staff_told[0].startswith("⚠️ 咨询 C-2026-0001 的评价为 ★")
        assert await send_owed_case_notices(hotline.services) == 0

        await sandbox.send_text(asker["id"], "Not helpful")
        await wait_reply(sandbox, asker["id"], after=prompt["message_id"])
        assert await send_owed_case_notices(hotline.services) == 1
        expert_told, staff_told = await told()
        assert expert_told[1:] == [
            "The asker's comment on consultation C-2026-0001 (★): Not helpful"]
        assert len(staff_told) == 2 and "Not helpful" in staff_told[1]
        assert await send_owed_case_notices(hotline.services) == 0
    finally:
        await hotline.stop()


async def test_a_good_rating_tells_the_expert_but_not_staff(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    _staffer, group, hotline = await _staffed(sandbox_server, sandbox, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        closed = await _claimed_and_closed(hotline, sandbox, wang, asker, "C-2026-0001")
        await press(sandbox, asker["id"], closed, "3★")
        told = await wait_reply(sandbox, wang["id"], "was rated")
        assert told["text"] == "Consultation C-2026-0001 that you answered was rated ★★★."
        assert not [m for m in await sandbox.bot_messages(group["id"])
                    if "⚠️" in (m.get("text") or "")]
    finally:
        await hotline.stop()


async def test_sample_of_last_weeks_closed_cases_is_for_staff_only(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, _group, hotline = await _staffed(sandbox_server, sandbox, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        asker = await social_worker(hotline, sandbox, "Emma")
        repository = hotline.services.hotline.cases.repository
        for stars in (2, None, 5):
            case = await repository.create(asker["id"], "legal", None, 0)
            assert await repository.changes.close(case.id, "expert")
            if stars is not None:
                assert await repository.history.rate(case.id, asker["id"], stars)
        # Closed eight days ago: not last week's.
        await repository.changes.set_fields(case.id, closed_at=utcnow() - timedelta(days=8))

        refused = await say(sandbox, wang["id"], "/sample")
        assert refused["text"] == "Sorry, you are not allowed to do that."
        bad = await say(sandbox, staffer["id"], "/sample 99")
        assert bad["text"] == "Send /sample, or /sample with a number from 1 to 20."

        sample = await say(sandbox, staffer["id"], "/sample 5")
        base = hotline.services.console.base_url
        assert sample["text"] == (
            "2 of the 2 consultations closed in the last 7 days, chosen at random:\n\n"
            f"C-2026-0001 · Legal · ★★\n{base}/console/cases/C-2026-0001\n"
            f"C-2026-0002 · Legal · not rated\n{base}/console/cases/C-2026-0002")
        one = await say(sandbox, staffer["id"], "/sample 1")
        assert one["text"].startswith("1 of the 2 consultations closed in the last 7 days")
    finally:
        await hotline.stop()


async def test_an_experts_start_shows_their_open_cases_and_shifts(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Desk question"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")

    desk = await say(sandbox, wang["id"], "/start", "Your hotline desk")
    assert "Your open consultations:\n• C-2026-0001 · Legal" in desk["text"]
    assert "Your shifts in the next 7 days:" in desk["text"]
    assert "00:00–24:00 Legal" in desk["text"]
    assert "/duty swap" in desk["text"]
    # Someone who is not an expert has no desk.
    await say(sandbox, asker["id"], "/start")
    await bot_idle(hotline)
    assert not [m for m in await sandbox.bot_messages(asker["id"])
                if "Your hotline desk" in (m.get("text") or "")]
