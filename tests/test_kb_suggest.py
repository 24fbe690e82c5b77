"""Suggest before asking, through the sandbox: entries shown in /ask before an expert."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Hotline
from sandbox.client import SandboxClient
from scheduler.hotline import send_weekly_report
from storage.models import KbSuggestion, Role, utcnow
from tests.driver import buttons, press_data, starts, wait_edit, wait_reply
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
from tests.kb_support import ENTRIES_CSV, knowledge_base_ready


async def entries_by_question(hotline: Hotline) -> dict[str, object]:
    entries = await hotline.services.kb.repository.listing(["published"])
    return {e.question: e for e in entries}


async def test_this_answers_my_question_ends_there(hotline: Hotline,
                                                   sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "王伟", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "王芳", language="zh-hans")
    confirm = await ask(sandbox, asker, "legal", "立遗嘱要几个见证人在场？")
    await submit(sandbox, asker, confirm)
    shown = await wait_edit(sandbox, asker["id"], confirm["message_id"])
    assert shown["text"].startswith("📚 在您的问题发给专家之前")
    assert "1. 遗嘱需要几个见证人？" in shown["text"]
    labels = [label for label, _ in buttons(shown)]
    assert labels[:2] == ["阅读第 1 条全文", "✅ 第 1 条已解答"] and labels[-1] == "💬 仍要咨询专家"
    entry = (await entries_by_question(hotline))["遗嘱需要几个见证人？"]
    assert entry.shown_count == 1

    ok = dict((label, data) for label, data in buttons(shown))["✅ 第 1 条已解答"]
    await press_data(sandbox, asker["id"], shown, ok)
    glad = await wait_edit(sandbox, asker["id"], shown["message_id"])
    assert glad["text"].startswith("很高兴知识库帮到了您") and not buttons(glad)
    assert await hotline.services.hotline.cases.repository.active_of_asker(asker["id"]) == []
    entry = (await entries_by_question(hotline))["遗嘱需要几个见证人？"]
    assert entry.helpful_count == 1 and entry.rejected_count == 0
    async with hotline.services.database.session() as session:
        row = await session.get(KbSuggestion, int(ok.split(":")[2]))
        assert row.outcome == "self_served" and row.chosen_entry_id == entry.id

    # Pressed again (or another person's suggestion forged): refused, counted once.
    again = await press_data(sandbox, asker["id"], shown, ok, forged=True)
    assert again["answer"]["text"]
    assert (await entries_by_question(hotline))["遗嘱需要几个见证人？"].helpful_count == 1


async def test_i_still_want_an_expert_sends_it_on_with_the_suggestions(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    stranger = await social_worker(hotline, sandbox, "Mallory")
    confirm = await ask(sandbox, asker, "legal", "遗嘱要几个证人？我父亲想写遗嘱")
    await submit(sandbox, asker, confirm)
    shown = await wait_edit(sandbox, asker["id"], confirm["message_id"])
    assert shown["text"].startswith("📚 Before your question goes to an expert")
    expert_button = dict(buttons(shown))["💬 I still want an expert"]

    own = (await sandbox.bot_messages(stranger["id"]))[-1]
    forged = await press_data(sandbox, stranger["id"], own, expert_button, forged=True)
    assert forged["answer"]["text"]  # refused: not their question
    await press_data(sandbox, asker["id"], shown, expert_button)
    sent = await wait_edit(sandbox, asker["id"], shown["message_id"])
    assert not buttons(sent)
    told = await wait_reply(sandbox, asker["id"], starts("Consultation"))
    assert "has been sent to 1 expert(s)" in told["text"]
    case = await latest_case(hotline, asker["id"])
    offer = await offer_to(sandbox, wang["id"], case.number)
    assert "遗嘱要几个证人？我父亲想写遗嘱" in offer["text"]
    assert ("📚 Before asking, the asker read these knowledge-base entries and found them not "
            "enough:\n• 遗嘱需要几个见证人？") in offer["text"]
    entry = (await entries_by_question(hotline))["遗嘱需要几个见证人？"]
    assert entry.rejected_count == 1 and entry.helpful_count == 0


async def test_nothing_is_suggested_when_nothing_matches_well(hotline: Hotline,
                                                              sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "王伟", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    confirm = await ask(sandbox, asker, "legal", "Our neighbour's dog barks all night")
    await submit(sandbox, asker, confirm)
    sent = await wait_edit(sandbox, asker["id"], confirm["message_id"])
    assert not sent["text"].startswith("📚") and not buttons(sent)
    await wait_reply(sandbox, asker["id"], starts("Consultation"))
    case = await latest_case(hotline, asker["id"])
    offer = await offer_to(sandbox, wang["id"], case.number)
    assert "📚" not in offer["text"]


async def test_the_weekly_report_shows_self_served_acceptance_and_entries(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    for name, choice in (("Emma", "✅ No. 1 answers it"), ("Olga", "✅ No. 1 answers it"),
                         ("Ivan", "💬 I still want an expert")):
        asker = await social_worker(hotline, sandbox, name)
        confirm = await ask(sandbox, asker, "legal", "遗嘱要几个证人在场？")
        await submit(sandbox, asker, confirm)
        shown = await wait_edit(sandbox, asker["id"], confirm["message_id"])
        await press_data(sandbox, asker["id"], shown, dict(buttons(shown))[choice])
        await wait_edit(sandbox, asker["id"], shown["message_id"])
    admin = await sandbox.add_user("Admin", language_code="en")
    await sandbox.send_text(admin["id"], "/start")
    await wait_reply(sandbox, admin["id"])
    await hotline.services.people.grant(admin["id"], Role.ADMIN)
    assert await send_weekly_report(hotline.services, utcnow() + timedelta(days=7)) == 1
    report = await wait_reply(sandbox, admin["id"], "Knowledge base")
    assert ("Questions shown entries: 3; self-served: 2; still sent to an expert: 1; "
            "acceptance: 67%") in report["text"]
    assert "Entries most often helpful:\n· 遗嘱需要几个见证人？ (2 times)" in report["text"]
    assert "Entries most often not enough:\n· 遗嘱需要几个见证人？ (1 times)" in report["text"]
