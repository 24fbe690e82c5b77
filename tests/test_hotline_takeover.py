"""After staff take a case over: replies to the replayed history route by reply (and keep
their thread), staff typing in a case's topic are told at once how to answer, and /stats
names staff handlers."""

from __future__ import annotations

from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import Role
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
from tests.support import bot_idle, running_hotline, staff_forum_group


async def test_replies_to_history_copies_route_and_the_topic_is_not_relayed(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await sandbox.send_text(staffer["id"], "/start")
        await wait_reply(sandbox, staffer["id"])
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        emma = await social_worker(hotline, sandbox, "Emma")
        bo = await social_worker(hotline, sandbox, "Bo")
        originals = {}
        for asker, number, question in ((emma, "C-2026-0001", "Emma's question"),
                                        (bo, "C-2026-0002", "Bo's question")):
            await submit(sandbox, asker, await ask(sandbox, asker, "legal", question))
            offer = await offer_to(sandbox, wang["id"], number)
            await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
            await wait_reply(sandbox, asker["id"], "has been taken")
            originals[number] = await sandbox.send_text(asker["id"], f"More from {number}")
            await wait_reply(sandbox, wang["id"], f"More from {number}")

        # Staff take both cases over from their topics.
        cases = hotline.services.hotline.cases
        for asker in (emma, bo):
            case = await latest_case(hotline, asker["id"])
            topic_card = next(m for m in await sandbox.bot_messages(
                group["id"], thread_id=case.staff_thread_id)
                if any(d.startswith("hotline:takeover:") for _, d in buttons(m)))
            taken = await press_data(sandbox, staffer["id"], topic_card,
                                     f"hotline:takeover:{case.id}")
            assert taken["answer"]["text"] == "Claimed: the question is yours."
            await wait_reply(sandbox, asker["id"], "now answered")
        await bot_idle(hotline)
        emma_copy = next(m for m in await sandbox.bot_messages(staffer["id"])
                         if m.get("text") == "More from C-2026-0001")

        # A reply to a replayed copy goes to Emma's case, not "which case?", and Emma sees
        # it as a reply to her own message.
        sent = await sandbox.send_text(staffer["id"], "Answer for Emma",
                                       reply_to=emma_copy["message_id"])
        answer = await wait_reply(sandbox, emma["id"], "Answer for Emma")
        assert answer["reply_to_message"]["message_id"] == originals["C-2026-0001"]["message_id"]
        await bot_idle(hotline)
        assert not [m for m in await sandbox.bot_messages(staffer["id"])
                    if m["message_id"] > sent["message_id"]
                    and "which" in (m.get("text") or "").lower()]
        assert not [m for m in await sandbox.bot_messages(bo["id"])
                    if "Answer for Emma" in (m.get("text") or "")]

        # An edit of a message reaches its replayed copy too.
        await sandbox.edit_text(emma["id"], emma["id"], originals["C-2026-0001"]["message_id"],
                                "More from C-2026-0001 (corrected)")
        edited = await wait_edit(sandbox, staffer["id"], emma_copy["message_id"])
        assert edited["text"] == "More from C-2026-0001 (corrected)"

        # Typing in a case's topic: nothing reaches the asker, and staff are told how to
        # answer at once (once, not for every line of a staff discussion).
        emma_case = await latest_case(hotline, emma["id"])
        other = await sandbox.add_user("Staff Sun", language_code="en")
        await sandbox.add_member(group["id"], other["id"])
        await hotline.services.people.grant(other["id"], Role.STAFF)
        said = await sandbox.send_text(other["id"], "Who knows this law?", chat_id=group["id"],
                                       thread_id=emma_case.staff_thread_id)
        hint = await wait_reply(sandbox, group["id"], "stay among staff", after=said["message_id"])
        assert hint["message_thread_id"] == emma_case.staff_thread_id
        assert hint["reply_to_message"]["message_id"] == said["message_id"]
        assert hint["text"] == (
            "Messages in this topic stay among staff: the asker does not see them. To answer "
            "the asker, press Take over on the case card at the top of this topic; "
            "consultation C-2026-0001 then continues in your private chat with the bot.")
        again = await sandbox.send_text(other["id"], "I will look it up", chat_id=group["id"],
                                        thread_id=emma_case.staff_thread_id)
        mine = await sandbox.send_text(staffer["id"], "Noted", chat_id=group["id"],
                                       thread_id=emma_case.staff_thread_id)
        yours = await wait_reply(sandbox, group["id"], "is yours", after=mine["message_id"])
        assert yours["text"].startswith("Consultation C-2026-0001 is yours: answer the asker "
                                        "in your private chat with the bot")
        await bot_idle(hotline)
        hints = [m for m in await sandbox.bot_messages(group["id"])
                 if m["message_id"] > again["message_id"] and "stay among staff" in
                 (m.get("text") or "") and m["message_id"] != yours["message_id"]]
        assert hints == []
        for asker in (emma, bo):
            assert not [m for m in await sandbox.bot_messages(asker["id"])
                        if m.get("text") in ("Who knows this law?", "I will look it up",
                                             "Noted")]

        # /stats names the staff member who holds the cases, not their id.
        await cases.close(emma_case, "expert")
        stats = await say(sandbox, staffer["id"], "/stats")
        assert "Staff Zhou (Bureau staff): 2;" in stats["text"]
        assert str(staffer["id"]) not in stats["text"]
    finally:
        await hotline.stop()


async def test_a_reply_to_a_note_about_a_case_routes_to_it(hotline,
                                                          sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    notes = {}
    for number, question in (("C-2026-0001", "First"), ("C-2026-0002", "Second")):
        await submit(sandbox, emma, await ask(sandbox, emma, "legal", question))
        notes[number] = await wait_reply(sandbox, emma["id"], f"{number} (Legal) has been sent")
    # Two cases waiting: a reply to the first one's note needs no "which case?".
    sent = await sandbox.send_text(emma["id"], "Add this to the first",
                                   reply_to=notes["C-2026-0001"]["message_id"])
    held = await wait_reply(sandbox, emma["id"], after=sent["message_id"])
    assert held["text"].startswith("Consultation C-2026-0001 is still waiting")
    await bot_idle(hotline)
    first = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    transcript = hotline.services.hotline.cases.repository.transcript
    assert [m.text for m in await transcript.held(first.id)] == [
        "First", "Add this to the first"]
