"""Escalation (backups, the staff group, the admins), off hours, and a restart mid-case."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import CaseStatus, Role, utcnow
from tests.driver import buttons, press_data, say, wait_edit, wait_reply
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
from tests.support import running_hotline, staff_forum_group


async def _with_staff_group(server: SandboxServer, sandbox: SandboxClient,
                            tmp_path: Path) -> tuple[dict, dict, Hotline]:
    """A staff member in the staff forum group, and a bot that knows the group."""
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(server, tmp_path, staff_chat_id=group["id"])
    await hotline.services.people.grant(staffer["id"], Role.STAFF)
    return staffer, group, hotline


async def test_no_claim_escalates_to_backups_then_the_staff_group(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=60,
                                    staff_chat_id=group["id"])
    try:
        await sandbox.send_text(staffer["id"], "/start")  # answers come to a private chat
        await wait_reply(sandbox, staffer["id"])
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        on_duty = await expert(hotline, sandbox, "Wang", "legal")
        backup = await expert(hotline, sandbox, "Li", "legal")
        await roster(hotline, f"{on_duty['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Urgent question"))
        first_offer = await offer_to(sandbox, on_duty["id"], "C-2026-0001")
        case = await latest_case(hotline, asker["id"])
        assert case.escalation_level == 0 and case.escalate_at is not None
        assert case.staff_thread_id is not None  # the case's topic exists from the start

        cases = hotline.services.hotline.cases
        assert await cases.escalate_due(utcnow()) == 0  # not due yet
        assert await cases.escalate_due(utcnow() + timedelta(seconds=61)) == 1
        await offer_to(sandbox, backup["id"], "C-2026-0001")
        told = await wait_reply(sandbox, asker["id"], "passed on")
        assert told["text"].startswith("Nobody on duty has taken consultation C-2026-0001 yet")

        assert await cases.escalate_due(utcnow() + timedelta(seconds=122)) == 1
        staff_offer = await wait_reply(
            sandbox, group["id"], after=0,
            expect=lambda m: any(d.startswith("hotline:claim:") for _, d in buttons(m)))
        assert staff_offer["message_thread_id"] == case.staff_thread_id
        # A group reads the default language.
        assert "值班专家和后备专家都未接手，请工作人员安排。" in staff_offer["text"]
        assert [label for label, _ in buttons(staff_offer)] == ["✋ 认领"]
        told = await wait_reply(sandbox, asker["id"], "bureau staff")
        assert told["text"].startswith("Consultation C-2026-0001 has been passed on to the "
                                       "bureau staff")
        assert (await latest_case(hotline, asker["id"])).escalate_at is None
        assert await cases.escalate_due(utcnow() + timedelta(days=1)) == 0

        won = await press_data(sandbox, staffer["id"], staff_offer, buttons(staff_offer)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
        taken = await wait_reply(sandbox, asker["id"], "has been taken")
        assert "taken by Bureau staff" in taken["text"]
        edited = await wait_edit(sandbox, on_duty["id"], first_offer["message_id"])
        assert edited["text"] == "Consultation C-2026-0001 was taken by Bureau staff."
        card = await wait_reply(sandbox, staffer["id"], "yours to answer")
        question = await wait_reply(sandbox, staffer["id"], after=card["message_id"])
        assert question["text"] == "Urgent question"

        # The staff topic mirrors the conversation.
        await sandbox.send_text(asker["id"], "Thank you for stepping in")
        await wait_reply(sandbox, staffer["id"], "stepping in")
        await wait_reply(sandbox, group["id"], "stepping in", after=0)
        mirrored = await sandbox.messages(group["id"], thread_id=case.staff_thread_id)
        texts = [m.get("text") for m in mirrored]
        assert texts.index("Urgent question") < texts.index("Thank you for stepping in")
    finally:
        await hotline.stop()


async def test_off_hours_ask_names_the_next_shift_and_reaches_the_admins(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    admin = await sandbox.add_user("Admin", language_code="en")
    hotline = await running_hotline(sandbox_server, tmp_path, admin_ids=(admin["id"],))
    try:
        await sandbox.send_text(admin["id"], "/start")
        await wait_reply(sandbox, admin["id"])
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,daily,08:30,17:00")
        today = utcnow().astimezone(hotline.services.hotline.roster.zone).date()
        await hotline.services.hotline.roster.add_override(today, wang["id"], "off")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "After hours"))
        told = await wait_reply(sandbox, asker["id"], "C-2026-0001")
        tomorrow = today + timedelta(days=1)
        assert told["text"] == (
            "Consultation C-2026-0001 is registered. No Legal expert is on duty right now; the "
            f"next shift starts at {tomorrow} 08:30. Meanwhile we are passing your question on "
            "to other experts and the bureau staff, and will tell you when someone takes it.")
        offer = await offer_to(sandbox, admin["id"], "C-2026-0001")
        # Without a staff group the admins get the staff card: nobody could be offered it.
        assert ("No Legal expert could be offered this consultation: nobody is on duty and "
                "no backup is available") in offer["text"]
        await press_data(sandbox, admin["id"], offer, buttons(offer)[0][1])
        await wait_reply(sandbox, asker["id"], "has been taken")
        # Wang is on leave today: never offered the case, not even as a backup.
        assert not [m for m in await sandbox.bot_messages(wang["id"])
                    if "C-2026-0001" in (m.get("text") or "")]
    finally:
        await hotline.stop()


async def test_a_restart_mid_case_loses_nothing(sandbox_server: SandboxServer,
                                                sandbox: SandboxClient, tmp_path: Path) -> None:
    settings = {"claim_timeout": 1, "escalation_check_seconds": 1}
    first = await running_hotline(sandbox_server, tmp_path, **settings)
    wang = await expert(first, sandbox, "Wang", "legal")
    backup = await expert(first, sandbox, "Li", "legal")
    await roster(first, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(first, sandbox, "Emma")
    bo = await social_worker(first, sandbox, "Bo")
    # Emma's case is claimed and open; Bo's waits for a claim when the bot goes down.
    await submit(sandbox, emma, await ask(sandbox, emma, "legal", "Emma asks"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    taken = await wait_reply(sandbox, emma["id"], "has been taken")
    first.application.job_queue.scheduler.pause()  # no escalation before the restart
    await submit(sandbox, bo, await ask(sandbox, bo, "legal", "Bo asks"))
    await offer_to(sandbox, wang["id"], "C-2026-0002")
    await first.stop()

    second = await running_hotline(sandbox_server, tmp_path, **settings)
    try:
        # The pending deadline is in the database: the checker escalates after the restart.
        await offer_to(sandbox, backup["id"], "C-2026-0002")
        await sandbox.send_text(emma["id"], "Still there?")
        relayed = await wait_reply(sandbox, wang["id"], "Still there?")
        assert relayed["text"] == "Still there?"
        await sandbox.send_text(wang["id"], "Yes", reply_to=relayed["message_id"])
        answer = await wait_reply(sandbox, emma["id"], "Yes", after=taken["message_id"])
        assert answer["reply_to_message"]["text"] == "Still there?"
        case = await latest_case(second, bo["id"])
        assert case.status == CaseStatus.OFFERED and case.escalation_level >= 1
    finally:
        await second.stop()


async def test_staff_without_a_private_chat_are_told_then_take_over(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group, hotline = await _with_staff_group(sandbox_server, sandbox, tmp_path)
    try:
        asker = await social_worker(hotline, sandbox, "Emma")
        # Nobody answers policy questions: straight to the staff group.
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Who decides?"))
        staff_offer = await wait_reply(
            sandbox, group["id"], after=0,
            expect=lambda m: any(d.startswith("hotline:claim:") for _, d in buttons(m)))
        answer = await press_data(sandbox, staffer["id"], staff_offer, buttons(staff_offer)[0][1])
        assert answer["answer"] == {"text": "Please send /start to the bot in a private chat "
                                            "first: the consultation happens there. Then press "
                                            "Take over.", "show_alert": True}
        case = await latest_case(hotline, asker["id"])
        assert case.status == CaseStatus.OFFERED and case.expert_id is None

        await sandbox.send_text(staffer["id"], "/start")
        await wait_reply(sandbox, staffer["id"])
        topic_card = next(m for m in await sandbox.bot_messages(group["id"])
                          if any(d.startswith("hotline:takeover:") for _, d in buttons(m)))
        taken = await press_data(sandbox, staffer["id"], topic_card, buttons(topic_card)[0][1])
        assert taken["answer"]["text"] == "Claimed: the question is yours."
        question = await wait_reply(sandbox, staffer["id"], "Who decides")
        assert question["text"] == "Who decides?"
        assert (await latest_case(hotline, asker["id"])).expert_id == staffer["id"]
        # A resident pressing Take over is refused.
        resident = await sandbox.add_user("Res", language_code="en")
        await sandbox.add_member(group["id"], resident["id"])
        refused = await press_data(sandbox, resident["id"], topic_card, buttons(topic_card)[0][1],
                                   forged=True)
        assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."
    finally:
        await hotline.stop()


async def test_askers_are_rate_limited(sandbox_server: SandboxServer, sandbox: SandboxClient,
                                       tmp_path: Path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, relay_messages_per_minute=2)
    try:
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Question"))
        await wait_reply(sandbox, asker["id"], "reached")
        replies = []
        for text in ("one", "two", "three"):
            replies.append((await say(sandbox, asker["id"], text))["text"])
        assert replies[0].startswith("Consultation C-2026-0001 is still waiting")
        assert replies[2] == "You are sending messages too fast; please wait a minute."
        case = await latest_case(hotline, asker["id"])
        held = await hotline.services.hotline.cases.repository.transcript.held(case.id)
        assert [m.text for m in held] == ["Question", "one", "two"]
    finally:
        await hotline.stop()


async def test_staff_reassign_a_waiting_case_from_its_topic(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group, hotline = await _with_staff_group(sandbox_server, sandbox, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang", "policy")  # not on the roster today
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Who decides?"))
        card = await wait_reply(
            sandbox, group["id"], after=0,
            expect=lambda m: any(d.startswith("hotline:reassign:") for _, d in buttons(m)))
        reassign = next(d for _, d in buttons(card) if d.startswith("hotline:reassign:"))
        await press_data(sandbox, staffer["id"], card, reassign)
        menu = await wait_reply(sandbox, group["id"], "Which expert")
        assert menu["text"] == "Which expert should take consultation C-2026-0001?"
        [(label, choice)] = buttons(menu)
        assert label == "Wang · Policy expert Wang" and choice.endswith(f":{wang['id']}")

        resident = await sandbox.add_user("Res", language_code="en")
        await sandbox.add_member(group["id"], resident["id"])
        refused = await press_data(sandbox, resident["id"], menu, choice, forged=True)
        assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."
        assert (await latest_case(hotline, asker["id"])).expert_id is None

        await press_data(sandbox, staffer["id"], menu, choice)
        done = await wait_edit(sandbox, group["id"], menu["message_id"])
        assert done["text"] == "Consultation C-2026-0001 is now with Wang."
        # Wang may have had an offer as a backup; the copy of the question itself comes now.
        question = await wait_reply(sandbox, wang["id"], lambda m: m.get("text") == "Who decides?")
        assert question["text"] == "Who decides?"
        told = await wait_reply(sandbox, asker["id"], "Wang")
        assert "Policy expert Wang" in told["text"]
        case = await latest_case(hotline, asker["id"])
        assert case.expert_id == wang["id"] and case.status == CaseStatus.OPEN
        # Pressed again (stale): the case is no longer waiting for this choice.
        again = await press_data(sandbox, staffer["id"], menu, choice, forged=True)
        assert again["answer"]["show_alert"] is True
    finally:
        await hotline.stop()
