""""Which case?" picks live in the database: a restart between the question and the pick loses
nothing, a pick relays its message exactly once, and stale picks are refused and purged."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import purge_pending_picks
from storage.models import utcnow
from tests.driver import buttons, press_data, say, wait_edit, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker, submit
from tests.support import bot_idle, running_hotline


async def _claimed(hotline: Hotline, sandbox: SandboxClient, lawyer: dict, asker: dict,
                   number: str) -> None:
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", f"Question of {number}"))
    offer = await offer_to(sandbox, lawyer["id"], number)
    await press_data(sandbox, lawyer["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")


async def _which(sandbox: SandboxClient, user_id: int, text: str) -> dict:
    question = await say(sandbox, user_id, text, lambda m: bool(buttons(m)))
    assert question["text"].startswith("You have several open consultations")
    return question


async def _texts_of(hotline: Hotline, asker_id: int) -> list[tuple[str, str | None]]:
    repository = hotline.services.hotline.cases.repository
    [case] = await repository.active_of_asker(asker_id)
    await bot_idle(hotline)
    return [(m.sender_role, m.text) for m in await repository.transcript.messages(case.id)]


async def test_a_pick_after_a_restart_relays_and_stores_the_message(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    first = await running_hotline(sandbox_server, tmp_path)
    wang = await expert(first, sandbox, "Wang", "legal")
    await roster(first, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(first, sandbox, "Emma")
    bo = await social_worker(first, sandbox, "Bo")
    await _claimed(first, sandbox, wang, emma, "C-2026-0001")
    await _claimed(first, sandbox, wang, bo, "C-2026-0002")
    question = await _which(sandbox, wang["id"], "Please send the lease by Friday")
    later = await _which(sandbox, wang["id"], "A second unrouted message")
    await first.stop()

    second = await running_hotline(sandbox_server, tmp_path)
    try:
        [(label, for_bo)] = [b for b in buttons(question) if b[0] == "C-2026-0002"]
        await press_data(sandbox, wang["id"], question, for_bo)
        relayed = await wait_reply(sandbox, bo["id"], "lease")
        assert relayed["text"] == "Please send the lease by Friday"
        picked = await wait_edit(sandbox, wang["id"], question["message_id"])
        assert picked["text"] == f"Consultation {label} chosen." and not buttons(picked)

        # A second press of the same button, or of the other case's, sends nothing again.
        # (Wang's updates are handled in order: the answer means the pick has finished.)
        for data in (for_bo, next(d for lbl, d in buttons(question) if lbl == "C-2026-0001")):
            again = await press_data(sandbox, wang["id"], question, data, forged=True)
            assert again["answer"] == {
                "text": "This message has already gone to consultation C-2026-0002; it is "
                        "not sent twice.", "show_alert": True}
        assert await _texts_of(second, bo["id"]) == [
            ("asker", "Question of C-2026-0002"), ("expert", "Please send the lease by Friday")]
        assert [m["text"] for m in await sandbox.bot_messages(bo["id"])
                if m.get("text") == relayed["text"]] == [relayed["text"]]
        assert [t for _, t in await _texts_of(second, emma["id"])] == [
            "Question of C-2026-0001"]

        # Two days on, the housekeeping job forgets both; the old button says so.
        purged = await purge_pending_picks(second.services, utcnow() + timedelta(hours=49))
        assert purged == 2
        stale = await press_data(sandbox, wang["id"], later, buttons(later)[0][1])
        expired = ("This choice has expired and the message was not passed on. If it is still "
                   "needed, please send it again.")
        assert stale["answer"] == {"text": expired, "show_alert": True}
        edited = await wait_edit(sandbox, wang["id"], later["message_id"])
        assert edited["text"] == expired and not buttons(edited)
        assert [t for _, t in await _texts_of(second, emma["id"])] == [
            "Question of C-2026-0001"]
    finally:
        await second.stop()


async def test_an_edit_while_waiting_and_a_closed_case(hotline: Hotline,
                                                       sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    bo = await social_worker(hotline, sandbox, "Bo")
    await _claimed(hotline, sandbox, wang, emma, "C-2026-0001")
    await _claimed(hotline, sandbox, wang, bo, "C-2026-0002")
    sent = await sandbox.send_text(wang["id"], "Teh draft is fine")
    question = await wait_reply(sandbox, wang["id"], lambda m: bool(buttons(m)),
                                after=sent["message_id"])
    another = await _which(sandbox, wang["id"], "Anything else?")
    await sandbox.edit_text(wang["id"], wang["id"], sent["message_id"], "The draft is fine")
    await press_data(sandbox, wang["id"], question, buttons(question)[0][1])
    relayed = await wait_reply(sandbox, emma["id"], "draft")
    assert relayed["text"] == "The draft is fine"

    # Bo's case closes while a question about it is still open on the screen.
    [case] = await hotline.services.hotline.cases.repository.active_of_asker(bo["id"])
    assert await hotline.services.hotline.cases.repository.changes.close(case.id, "expert")
    refused = await press_data(sandbox, wang["id"], another, buttons(another)[1][1])
    assert refused["answer"] == {"text": "That consultation has ended or is no longer yours; "
                                         "the message was not passed on.", "show_alert": True}
    assert not [m for m in await sandbox.bot_messages(bo["id"])
                if m.get("text") == "Anything else?"]
    # (Wang's updates are handled in order: the refusal means the pick has finished.)
    assert (await _texts_of(hotline, emma["id"]))[-1] == ("expert", "The draft is fine")
