"""/forget end to end: the confirmation, what each area erases, what is kept, and refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import Hotline
from sandbox.client import SandboxClient
from scheduler.hotline import ROSTER_DUTY_JOB_ID
from storage.models import (
    AuditEntry,
    CategoryFallback,
    ConsoleLoginToken,
    KbStatus,
    OutboxMessage,
    Role,
    RosterNotice,
    ShiftSwap,
    SocialWorkerProfile,
    TrainingReminder,
    utcnow,
)
from storage.repositories.hotline_duty_cases import DutyCaseRepository
from storage.repositories.outbox import OutboxRepository, Recipient
from storage.repositories.roster_duty import RosterDutyRepository
from tests.driver import buttons, person, press_data, say, wait_edit, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, roster, social_worker, submit
from tests.ideas_helpers import resident_idea
from tests.support import bot_idle
from tests.test_ideas_public import open_public
from tests.trainings_support import NOW, course_plan

STALE = ("This confirmation is no longer valid; nothing was erased. "
         "Send /forget again to erase your data.")


async def _count(hotline: Hotline, model: Any, *where: Any) -> int:
    async with hotline.services.database.session() as session:
        return int((await session.execute(
            select(func.count()).select_from(model).where(*where))).scalar_one())


async def _emma_with_everything(hotline: Hotline, sandbox: SandboxClient
                                ) -> tuple[dict, dict, int, int, int]:
    """Emma: a profile, a subscription, the one place of a full course (Li waits behind her),
    an idea (public, named, with a contact), a support of Li's idea, a console link, an
    announcement queued to her, a staff action in the audit log, a hotline case, an idea
    draft in progress, and on the duty roster: a category's fallback, a roster notice queued
    to her and a shift she offered for a swap. Returns Emma, Li, the course, Emma's idea and
    Li's idea."""
    services = hotline.services
    # The roster check would send the queued notice and expire the offer: held for the test.
    hotline.application.job_queue.scheduler.pause_job(ROSTER_DUTY_JOB_ID)
    services.trainings.clock.freeze(NOW)
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    li = await person(sandbox, hotline, "Li")

    await services.subscriptions.subscribe(emma["id"], ["policy", "trainings"])
    course_id = await services.trainings.create(course_plan(capacity=1), None)
    await services.trainings.register(course_id, emma["id"], frozenset({"social_worker"}))
    _, waiting = await services.trainings.register(course_id, li["id"], frozenset({"resident"}))
    assert waiting.status == "waitlisted"

    idea = await resident_idea(hotline, emma["id"], "Benches", public=True, show_name=True)
    li_idea = await resident_idea(hotline, li["id"], "Lights", public=True)
    await services.ideas.support(emma["id"], li_idea.id)
    # Authors cannot support their own ideas: the support that stays is a third person's.
    fan = await person(sandbox, hotline, "Fan")
    await services.ideas.support(fan["id"], li_idea.id)
    await services.console.issue_link(emma["id"])
    await OutboxRepository(services.database).enqueue(
        "announcement", 4242, [Recipient(emma["id"], "en"), Recipient(li["id"], "en")],
        not_before=utcnow() + timedelta(days=1))
    await services.audit.record(emma["id"], "ideas.publish", idea.reference, channel="bot")
    await DutyCaseRepository(services.database).set_fallback("legal", emma["id"], wang["id"])
    duty = RosterDutyRepository(services.database)
    await duty.queue_notices([(emma["id"], "roster_changed_notice", "{}")])
    await duty.add_swap(emma["id"], NOW.date() + timedelta(days=30), "09:00", "17:00",
                        ("legal",), utcnow() + timedelta(days=30), emma["id"])

    confirm = await ask(sandbox, emma, "legal", "My private question")
    await submit(sandbox, emma, confirm)
    await wait_reply(sandbox, wang["id"], "My private question")
    # A knowledge-base proposal from her case, not yet approved.
    case = (await services.hotline.cases.repository.active_of_asker(emma["id"]))[0]
    await services.kb.ready()
    await services.kb.repository.add_many([services.kb.new_entry(
        "legal", "My private question", "The answer", status=KbStatus.PROPOSED,
        source_case_id=case.id, proposed_by=wang["id"])])
    await say(sandbox, emma["id"], "/idea", "1. Give your idea a short title")
    assert await services.dialogs.current(emma["id"]) is not None
    return emma, li, course_id, idea.id, li_idea.id


async def _ask_to_forget(sandbox: SandboxClient, user: dict) -> dict:
    sent = await sandbox.send_text(user["id"], "/forget")
    return await wait_reply(sandbox, user["id"], after=sent["message_id"])


async def test_forget_erases_every_area_and_says_what_it_did(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    services = hotline.services
    emma, li, course_id, idea_id, li_idea_id = await _emma_with_everything(hotline, sandbox)
    uid = emma["id"]

    queued = await _count(hotline, TrainingReminder, TrainingReminder.telegram_id == uid,
                          TrainingReminder.state == "pending")
    assert queued > 0
    confirm = await _ask_to_forget(sandbox, emma)
    text = confirm["text"]
    assert text.startswith("Erase my personal data")
    assert "Will be erased:" in text and "Kept, without your name:" in text
    assert "the first person on the waitlist is told" in text
    assert "published ones stay public shown as anonymous" in text
    assert "that record of staff actions must be kept for accountability" in text
    assert [label for label, _ in buttons(confirm)] == ["Yes, erase", "Cancel"]
    yes = buttons(confirm)[0][1]
    assert yes.startswith(f"forget:yes:{uid}:") and len(yes.encode()) <= 64

    await press_data(sandbox, uid, confirm, yes)
    done = await wait_edit(sandbox, uid, confirm["message_id"])
    lines = done["text"].splitlines()
    assert lines[0] == "Your personal data has been erased."
    for line in ("· Name and username", "· Social-worker profile", "· Unfinished form (draft)",
                 "· Announcement subscriptions (topics): 2",
                 "· Training registrations and waitlist places given back: 1",
                 "· Announcement messages not yet delivered: 1",
                 "· Web console sign-in links and sessions: 1",
                 "· Ideas anonymised: 1", "· Supports of ideas: 1",
                 "· Your messages in hotline consultations: 1",
                 "· Knowledge-base proposals not yet reviewed: 1",
                 "· Hotline categories no longer naming you as their fallback: 1",
                 "· Duty roster notices not yet sent: 1", "· Shift swap offers withdrawn: 1"):
        assert line in lines, (line, lines)
    assert any(line.startswith("· Conversation log entries: ") for line in lines)
    assert f"· Training reminders and notices not yet sent: {queued}" in lines
    assert not buttons(done)

    # Li, first on the waitlist, has the place and is told, exactly as after a cancellation.
    promoted = await wait_reply(sandbox, li["id"], "A place came free: you are now registered for")
    assert "社工考试辅导班" in promoted["text"]
    assert await services.trainings.status_of(course_id, li["id"]) == ("registered", 0)
    assert await services.trainings.status_of(course_id, uid) == ("cancelled", 0)
    assert await _count(hotline, TrainingReminder, TrainingReminder.telegram_id == uid,
                        TrainingReminder.state == "pending") == 0
    assert await _count(hotline, TrainingReminder, TrainingReminder.telegram_id == li["id"],
                        TrainingReminder.state == "pending") > 0

    # Subscriptions, profile, draft, console links: gone. The queued message: cancelled.
    assert (await services.subscriptions.settings(uid)).topics == frozenset()
    assert await _count(hotline, SocialWorkerProfile, SocialWorkerProfile.telegram_id == uid) == 0
    assert await services.dialogs.current(uid) is None
    assert await _count(hotline, ConsoleLoginToken, ConsoleLoginToken.telegram_id == uid) == 0
    assert await _count(hotline, OutboxMessage, OutboxMessage.chat_id == uid,
                        OutboxMessage.state == "pending") == 0
    assert await _count(hotline, OutboxMessage, OutboxMessage.chat_id == uid,
                        OutboxMessage.state == "cancelled") == 1
    assert await _count(hotline, OutboxMessage, OutboxMessage.chat_id == li["id"],
                        OutboxMessage.state == "pending") == 1

    # The idea stays public with no author and no contact; Li's idea lost Emma's support.
    public = await services.ideas.public_idea(idea_id)
    assert public.author_first_name is None
    assert public.idea.contact is None and public.idea.show_name is False
    assert public.idea.title == "Benches"
    assert (await services.ideas.public_idea(li_idea_id)).idea.support_count == 1
    reference = public.idea.reference
    card = await open_public(sandbox, li["id"], reference)
    assert "Submitted by: anonymous" in card["text"] and "Emma" not in card["text"]
    staff = await person(sandbox, hotline, "Sue", role=Role.STAFF)
    staff_card = await say(sandbox, staff["id"], f"/review {reference}", reference)
    assert "Submitted by" not in staff_card["text"] and str(uid) not in staff_card["text"]
    assert "13800000000" not in staff_card["text"]

    # The hotline case keeps the expert's side; Emma's words are gone.
    case = (await services.hotline.cases.repository.active_of_asker(uid))[0]
    await bot_idle(hotline)
    stored = await services.hotline.cases.repository.transcript.messages(case.id)
    assert [m.text for m in stored if m.sender_role == "asker"] == [None]

    # The duty roster: no fallback named her, nothing queued to her, her offer withdrawn.
    assert await _count(hotline, CategoryFallback, CategoryFallback.telegram_id == uid) == 0
    assert [view.telegram_id for view in await services.hotline.duty_cases.fallbacks.listing()
            if view.category == "legal"] == [None]
    assert await _count(hotline, RosterNotice, RosterNotice.chat_id == uid) == 0
    assert await _count(hotline, ShiftSwap, ShiftSwap.expert_id == uid,
                        ShiftSwap.status == "withdrawn") == 1

    # The name is gone; the audit log (the record of staff actions) is kept, by bare id.
    forgotten = await services.people.get(uid)
    assert forgotten.first_name is None and forgotten.forgotten_at is not None
    assert await _count(hotline, AuditEntry, AuditEntry.telegram_id == uid) == 1

    # A second press of the same button is refused: the confirmation was used up.
    answer = await press_data(sandbox, uid, confirm, yes, forged=True)
    assert answer["answer"]["text"] == STALE and answer["answer"]["show_alert"] is True


async def test_cancelling_erases_nothing_and_uses_the_confirmation_up(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    services = hotline.services
    emma = await social_worker(hotline, sandbox, "Emma")
    uid = emma["id"]
    await services.subscriptions.subscribe(uid, ["policy"])
    confirm = await _ask_to_forget(sandbox, emma)
    (_, yes), (_, no) = buttons(confirm)
    await press_data(sandbox, uid, confirm, no)
    cancelled = await wait_edit(sandbox, uid, confirm["message_id"])
    assert cancelled["text"] == "Cancelled; nothing was erased."
    # The cancelled confirmation's "yes" cannot be pressed afterwards.
    answer = await press_data(sandbox, uid, confirm, yes, forged=True)
    assert answer["answer"]["text"] == STALE
    kept = await services.people.get(uid)
    assert kept.first_name == "Emma" and kept.forgotten_at is None
    assert (await services.subscriptions.settings(uid)).topics == frozenset({"policy"})
    assert await services.profiles.get(uid) is not None
    assert await services.conversation_log.count_for_user(uid) > 0


async def test_a_forged_confirmation_for_someone_else_erases_nothing(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    services = hotline.services
    emma = await social_worker(hotline, sandbox, "Emma")
    mallory = await social_worker(hotline, sandbox, "Mallory")
    for user in (emma, mallory):
        await services.subscriptions.subscribe(user["id"], ["policy"])
    emma_confirm = await _ask_to_forget(sandbox, emma)
    emma_yes = buttons(emma_confirm)[0][1]
    mallory_confirm = await _ask_to_forget(sandbox, mallory)
    mallory_token = buttons(mallory_confirm)[0][1].rsplit(":", 1)[1]
    emma_token = emma_yes.rsplit(":", 1)[1]
    mid = mallory["id"]
    # Emma's own button data, Emma's id with Mallory's token, Mallory's id with Emma's token.
    for forged in (emma_yes, f"forget:yes:{emma['id']}:{mallory_token}",
                   f"forget:yes:{mid}:{emma_token}", f"forget:yes:{mid}:not-a-token"):
        answer = await press_data(sandbox, mid, mallory_confirm, forged, forged=True)
        assert answer["answer"]["text"] == STALE, forged
    for user in (emma, mallory):
        kept = await services.people.get(user["id"])
        assert kept.forgotten_at is None and kept.first_name == user["first_name"]
        assert (await services.subscriptions.settings(user["id"])).topics == {"policy"}
    # Emma's confirmation still works for Emma.
    await press_data(sandbox, emma["id"], emma_confirm, emma_yes)
    done = await wait_edit(sandbox, emma["id"], emma_confirm["message_id"])
    assert done["text"].startswith("Your personal data has been erased.")
    assert (await services.people.get(mid)).forgotten_at is None
