"""A kill -9 between a case's change and its offers: the case must still reach someone.

Every change that makes a case wait for a claim (asked, released, transferred, reopened,
moved by staff) commits first and sends its offers after. A process that dies in between
used to leave the case waiting with no claim deadline: the escalation check never saw it,
and nobody was ever offered it. Here the routing after the commit is switched off (what a
kill leaves) and the next escalation check, once the deadline has passed, must offer it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, insert

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import OWED_NOTICES_JOB_ID, send_owed_case_notices
from services.actors import CONSOLE, Actor
from services.refusals import Refused
from storage.db import Database
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Case, CaseStatus, Role, User, utcnow
from storage.repositories.hotline_cases import CaseRepository
from tests.driver import buttons, person, press_data, wait_edit, wait_reply
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
from tests.support import bot_idle, running_hotline


async def offered_to_two(hotline: Hotline, sandbox: SandboxClient, question: str
                         ) -> tuple[dict, dict, dict, dict, dict]:
    """Wang and Li on duty for legal, and Emma's question C-2026-0001 offered to both:
    (wang, li, emma, Wang's offer, Li's offer)."""
    wang = await expert(hotline, sandbox, "Wang", "legal")
    li = await expert(hotline, sandbox, "Li", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", question))
    return (wang, li, asker, await offer_to(sandbox, wang["id"], "C-2026-0001"),
            await offer_to(sandbox, li["id"], "C-2026-0001"))


async def _killed_after_commit(*_args: object, **_kwargs: object) -> None:
    """Stands in for the routing a dead process never ran."""


async def test_a_new_case_whose_offers_a_kill_cut_off_is_offered_at_its_deadline(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=60)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        cases = hotline.services.hotline.cases
        monkeypatch.setattr(cases.routing, "route_new", _killed_after_commit)
        confirm = await ask(sandbox, asker, "legal", "Can a will be typed?")
        await submit(sandbox, asker, confirm)
        sent = await wait_edit(sandbox, asker["id"], confirm["message_id"])
        assert sent["text"] == "Your question has been submitted."
        await bot_idle(hotline)
        case = await latest_case(hotline, asker["id"])
        assert case.status == CaseStatus.OFFERED and case.escalate_at is not None
        assert await cases.repository.offers(case.id) == []
        monkeypatch.undo()  # the next process routes as usual

        assert await cases.escalate_due(utcnow()) == 0  # a live process has time to offer it
        # Two checkers (two processes) find it due at once: one of them acts.
        later = utcnow() + timedelta(seconds=61)
        assert sorted(await asyncio.gather(cases.escalate_due(later),
                                           cases.escalate_due(later))) == [0, 1]
        # The step it missed, not the next one: the expert on duty, and the asker hears it.
        offer = await offer_to(sandbox, wang["id"], case.number)
        assert "Can a will be typed?" in offer["text"]
        told = await wait_reply(sandbox, asker["id"], "has been sent to")
        assert told["text"] == (f"Consultation {case.number} (Legal) has been sent to 1 "
                                "expert(s) on duty. You will be told as soon as one takes it.")
        assert len(await cases.repository.offers(case.id)) == 1  # one offer, not two
        won = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
    finally:
        await hotline.stop()


async def test_a_released_case_whose_offers_a_kill_cut_off_is_offered_at_its_deadline(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=60)
    try:
        wang, li, asker, offer, _ = await offered_to_two(hotline, sandbox, "Who signs the lease?")
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await wait_reply(sandbox, asker["id"], "has been taken")
        cases = hotline.services.hotline.cases
        claimed = await latest_case(hotline, asker["id"])
        assert claimed.status == CaseStatus.OPEN and claimed.escalate_at is None

        monkeypatch.setattr(cases.routing, "offer_afresh", _killed_after_commit)
        assert await cases.release(claimed, by_staff=False)
        released = await latest_case(hotline, asker["id"])
        assert released.status == CaseStatus.OFFERED and released.escalate_at is not None
        monkeypatch.undo()

        assert await cases.escalate_due(utcnow()) == 0
        assert await cases.escalate_due(utcnow() + timedelta(seconds=61)) == 1
        # The on-duty step it missed: Li (who had the first round's offer) gets a fresh one.
        fresh = await wait_reply(sandbox, li["id"], lambda m: (
            "C-2026-0001" in (m.get("text") or "") and m["message_id"] > offer["message_id"]
            and any(d.startswith("hotline:claim:") for _, d in buttons(m))))
        won = await press_data(sandbox, li["id"], fresh, buttons(fresh)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
    finally:
        await hotline.stop()


async def test_send_run_again_after_a_kill_opens_one_case_and_offers_it(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The asker's Send stores the case before the draft goes and before "submitted" is
    said. Killed in between, the update is handled again at start-up (the update inbox):
    that run finds the case in the draft, opens no second one, and offers it."""
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=60)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        confirm = await ask(sandbox, asker, "legal", "Is a typed will valid?")
        dialogs = hotline.services.dialogs

        async def killed(_telegram_id: int) -> None:
            raise RuntimeError("the process stops here")

        monkeypatch.setattr(dialogs, "finish", killed)
        await submit(sandbox, asker, confirm)
        await bot_idle(hotline)
        monkeypatch.undo()
        [case] = await hotline.services.hotline.cases.repository.active_of_asker(asker["id"])
        assert (await dialogs.current(asker["id"])).data["case_id"] == case.id
        assert await hotline.services.hotline.cases.repository.offers(case.id) == []

        await submit(sandbox, asker, confirm)  # the same update, handled again
        sent = await wait_edit(sandbox, asker["id"], confirm["message_id"])
        assert sent["text"] == "Your question has been submitted."
        offer = await offer_to(sandbox, wang["id"], case.number)
        assert "Is a typed will valid?" in offer["text"]
        await wait_reply(sandbox, asker["id"], "has been sent to 1 expert(s)")
        await bot_idle(hotline)
        assert [c.number for c in await hotline.services.hotline.cases.repository
                .active_of_asker(asker["id"])] == [case.number]
        assert await dialogs.current(asker["id"]) is None
    finally:
        await hotline.stop()


async def test_the_migration_gives_stranded_cases_a_deadline(database_url: str) -> None:
    """Cases a kill stranded before this version (waiting at the on-duty or backup step
    with no deadline) are due at once; the staff step keeps its rule of no deadline."""
    database = Database(database_url)
    try:
        def upgrade_to(revision: str) -> Callable[[Connection], None]:
            def run(connection: Connection) -> None:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return run

        now = utcnow()
        async with database.engine.begin() as connection:
            await connection.run_sync(upgrade_to("case_handoffs_0001"))
            await connection.execute(insert(User.__table__), [
                {"telegram_id": 42, "locale": "en", "created_at": now, "last_seen_at": now}])
            await connection.execute(insert(Case.__table__), [
                {"number": number, "asker_id": 42, "category": "legal", "status": status,
                 "escalation_level": level, "escalate_at": deadline, "created_at": now}
                for number, status, level, deadline in [
                    ("C-2026-0001", "offered", 0, None), ("C-2026-0002", "offered", 1, None),
                    ("C-2026-0003", "offered", 2, None), ("C-2026-0004", "closed", 0, None),
                    ("C-2026-0005", "offered", 0, now + timedelta(hours=1))]])
        await upgrade_to_head(database)
        cases = CaseRepository(database)
        due = [c.number for c in await cases.due(utcnow())]
        assert due == ["C-2026-0001", "C-2026-0002"]
        assert (await cases.by_number("C-2026-0003")).escalate_at is None
        later = (await cases.by_number("C-2026-0005")).escalate_at
        assert later is not None and abs(later - (now + timedelta(hours=1))) < timedelta(
            seconds=1)
    finally:
        await database.close()


# Every sendMessage fails with a server error: more than the gateway's four attempts.
SERVER_DOWN = {"rate": 1.0, "kinds": ["5xx"], "methods": ["sendMessage"], "count": 4}


def closed_cards(messages: list[dict], number: str) -> list[dict]:
    return [m for m in messages if m["sandbox"]["direction"] == "out"
            and f"{number} is closed" in (m.get("text") or "")]


async def test_the_closed_card_is_owed_until_it_arrives(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The asker's "closed, please rate" card was sent once: a send that failed for now,
    or a kill right after the closing, and the asker never heard the case was closed nor
    was asked to rate it. Now it is owed from the closing until it arrives, once."""
    hotline = await running_hotline(sandbox_server, tmp_path)
    hotline.application.job_queue.scheduler.pause_job(OWED_NOTICES_JOB_ID)
    try:
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        cases = hotline.services.hotline.cases

        async def claimed_case(question: str, number: str) -> Case:
            await submit(sandbox, asker, await ask(sandbox, asker, "legal", question))
            offer = await offer_to(sandbox, wang["id"], number)
            case = await latest_case(hotline, asker["id"])
            await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
            await wait_reply(sandbox, asker["id"], "has been taken")
            return await cases.repository.get(case.id)

        # A send that fails for now: the next check sends it.
        first = await claimed_case("Is a typed will valid?", "C-2026-0001")
        await sandbox.configure(faults=SERVER_DOWN)
        assert await cases.close(first, "expert")
        await sandbox.configure(faults=None)
        await bot_idle(hotline)
        assert closed_cards(await sandbox.messages(asker["id"]), first.number) == []
        assert (await cases.repository.get(first.id)).closed_card_due is not None
        assert await send_owed_case_notices(hotline.services) == 1
        [card] = closed_cards(await sandbox.messages(asker["id"]), first.number)
        assert buttons(card)[-1][1] == f"hotline:reopen:{first.id}"
        assert (await cases.repository.get(first.id)).closed_card_id == card["message_id"]
        assert await send_owed_case_notices(hotline.services) == 0  # once

        # A kill right after the closing's commit: the running check sends it.
        second = await claimed_case("Who witnesses it?", "C-2026-0002")
        monkeypatch.setattr(cases.closed_cards, "send", _killed_after_commit)
        assert await cases.close(second, "expert")
        monkeypatch.undo()
        await bot_idle(hotline)
        assert closed_cards(await sandbox.messages(asker["id"]), second.number) == []
        assert sorted(await asyncio.gather(send_owed_case_notices(hotline.services),
                                           send_owed_case_notices(hotline.services))) == [0, 1]
        assert len(closed_cards(await sandbox.messages(asker["id"]), second.number)) == 1
        # Reopened meanwhile: nothing is owed any more.
        assert (await cases.reopen(second.id, asker["id"])).result == "reopened"
        assert (await cases.repository.get(second.id)).closed_card_due is None
    finally:
        await hotline.stop()


async def test_a_claim_undone_by_a_failed_send_gives_the_offers_back(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    """The claimer's case card failing for now used to undo the claim with every offer
    already saying "taken": nobody could claim the case, and it never moved on. The offers
    get their Claim button back, and the claimer is told to press it again."""
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        wang, li, asker, offer, li_offer = await offered_to_two(hotline, sandbox, "Who signs?")
        await bot_idle(hotline)  # the asker's notice is out: the faults hit the claim

        await sandbox.configure(faults=SERVER_DOWN)
        refused = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await sandbox.configure(faults=None)
        assert refused["answer"]["text"] == (
            "The consultation could not be sent to you just now, so it is waiting again. "
            "Please press Claim again in a moment.")
        await bot_idle(hotline)
        case = await latest_case(hotline, asker["id"])
        assert case.status == CaseStatus.OFFERED and case.escalate_at is not None
        for chat, sent in ((wang["id"], offer), (li["id"], li_offer)):
            [shown] = [m for m in await sandbox.messages(chat)
                       if m["message_id"] == sent["message_id"]]
            assert buttons(shown)[0][1] == f"hotline:claim:{case.id}"

        won = await press_data(sandbox, li["id"], li_offer, buttons(li_offer)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
        assert (await wait_reply(sandbox, li["id"], "Who signs?"))["text"] == "Who signs?"
        await wait_reply(sandbox, asker["id"], "has been taken")
    finally:
        await hotline.stop()


async def test_a_case_nobody_could_be_offered_is_offered_to_staff_again(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    """No expert, no staff group and no admin reachable: the asker was told "your question
    is kept", and then it was kept with no deadline, offered to nobody ever again. Now the
    staff step is tried again at every claim deadline, and the asker is told once."""
    hotline = await running_hotline(sandbox_server, tmp_path, claim_timeout=60)
    try:
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "policy", "Who decides?"))
        kept = await wait_reply(sandbox, asker["id"], "Your question is kept")
        case = await latest_case(hotline, asker["id"])
        assert case.escalation_level == 2 and case.escalate_at is not None
        cases = hotline.services.hotline.cases
        assert await cases.escalate_due(utcnow()) == 0

        # Still nobody: tried again, and the asker is not told a second time.
        assert await cases.escalate_due(utcnow() + timedelta(seconds=61)) == 1
        await bot_idle(hotline)
        assert [m for m in await sandbox.bot_messages(asker["id"])
                if "is kept" in (m.get("text") or "")] == [kept]

        # An admin now: the next try reaches them, and the asker hears where it went.
        admin = await person(sandbox, hotline, "Zhou", role=Role.ADMIN)
        assert await cases.escalate_due(utcnow() + timedelta(seconds=122)) == 1
        offer = await offer_to(sandbox, admin["id"], case.number)
        assert "Who decides?" in offer["text"]
        await wait_reply(sandbox, asker["id"], "bureau staff")
        assert (await latest_case(hotline, asker["id"])).escalate_at is None
        assert await cases.escalate_due(utcnow() + timedelta(days=1)) == 0
    finally:
        await hotline.stop()


async def test_a_claim_run_again_after_a_kill_starts_the_conversation(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed right after the claim's commit, the press handled again used to find the case
    taken (by the presser) and say so: the expert never got the case card or the question,
    and the asker was never told. It starts the conversation instead."""
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        wang, _li, asker, offer, _ = await offered_to_two(hotline, sandbox, "Who signs?")
        claims = hotline.services.hotline.cases.claims

        async def killed(*_args: object) -> None:
            raise RuntimeError("the process stops here")

        monkeypatch.setattr(claims, "_after_claim", killed)
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await bot_idle(hotline)
        monkeypatch.undo()
        case = await latest_case(hotline, asker["id"])
        assert (case.status, case.expert_id, case.expert_anchor_id) == (
            CaseStatus.OPEN, wang["id"], None)

        won = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
        assert (await wait_reply(sandbox, wang["id"], "Who signs?"))["text"] == "Who signs?"
        await wait_reply(sandbox, asker["id"], "has been taken")
        assert (await latest_case(hotline, asker["id"])).expert_anchor_id is not None
    finally:
        await hotline.stop()


async def test_staff_told_when_the_chosen_expert_could_not_be_reached(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    """Reassigning a waiting case claims it for the chosen expert; when their card does
    not arrive the claim is undone. Staff were told "reassigned" all the same."""
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        _wang, li, asker, _offer, li_offer = await offered_to_two(hotline, sandbox, "Who?")
        await bot_idle(hotline)
        staff = Actor(1, frozenset({"staff"}), CONSOLE)
        await sandbox.configure(faults=SERVER_DOWN)
        with pytest.raises(Refused) as refused:
            await hotline.services.hotline.actions.reassign(staff, "C-2026-0001", li["id"])
        await sandbox.configure(faults=None)
        assert refused.value.key == "console_ops.cases.error.unreachable"
        assert hotline.services.texts.text("en", refused.value.key, **refused.value.values) == (
            "Li could not be sent the case just now, so it is waiting again. "
            "Try again in a moment, or choose someone else.")
        assert (await latest_case(hotline, asker["id"])).status == CaseStatus.OFFERED
        won = await press_data(sandbox, li["id"], li_offer, buttons(li_offer)[0][1])
        assert won["answer"]["text"] == "Claimed: the question is yours."
    finally:
        await hotline.stop()
