"""Ending a case: close, rate and comment, reopen (48 h), /end, transfer, hand-over, figures,
the stored transcript from the command line, and the weekly report."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.app import Hotline
from bot.cli import main as cli_main
from sandbox.client import SandboxClient
from scheduler.hotline import WEEKLY_REPORT_JOB_ID, hotline_jobs, send_weekly_report
from services.hotline.reports import EXPORT_COLUMNS
from services.periodic import Schedule
from storage.models import CaseStatus, Role, utcnow
from tests.driver import buttons, press_data, say, wait_edit, wait_reply
from tests.hotline_support import (
    ALL_DAY,
    ask,
    expert,
    latest_case,
    offer_to,
    roster,
    skip_handoff,
    social_worker,
    submit,
)
from tests.support import bot_idle


async def _claimed(hotline: Hotline, sandbox: SandboxClient, expert_user: dict, asker: dict,
                   number: str, question: str, category: str = "legal") -> dict:
    await submit(sandbox, asker, await ask(sandbox, asker, category, question))
    offer = await offer_to(sandbox, expert_user["id"], number)
    await press_data(sandbox, expert_user["id"], offer, buttons(offer)[0][1])
    return await wait_reply(sandbox, asker["id"], "has been taken")


async def _now(sandbox: SandboxClient, chat_id: int, message_id: int) -> dict:
    """The message as the person sees it now (after any edits)."""
    return next(m for m in await sandbox.messages(chat_id) if m["message_id"] == message_id)


async def test_close_rate_comment_reopen_and_rate_again(hotline: Hotline,
                                                        sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    uid = asker["id"]
    taken = await _claimed(hotline, sandbox, wang, asker, "C-2026-0001", "Question")
    assert [label for label, _ in buttons(taken)] == ["End consultation"]
    card = await wait_reply(sandbox, wang["id"], "yours to answer")
    assert [label for label, _ in buttons(card)] == ["✅ Close", "↪️ Transfer"]
    await sandbox.send_text(wang["id"], "Answer")
    await wait_reply(sandbox, uid, "Answer")

    await press_data(sandbox, wang["id"], card, buttons(card)[0][1])
    done = await wait_reply(sandbox, wang["id"], "is closed")
    assert done["text"] == "Consultation C-2026-0001 is closed. Thank you for your answers!"
    closed = await wait_reply(sandbox, uid, "is closed")
    assert [label for label, _ in buttons(closed)] == ["1★", "2★", "3★", "4★", "5★", "Reopen"]
    await bot_idle(hotline)
    # The step is done: the expert's Close/Transfer and the asker's End are gone.
    assert buttons(await _now(sandbox, wang["id"], card["message_id"])) == []
    assert buttons(await _now(sandbox, uid, taken["message_id"])) == []
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    again = await press_data(sandbox, wang["id"], card, f"hotline:close:{case.id}", forged=True)
    assert again["answer"] == {"text": "Consultation C-2026-0001 is already closed; this "
                                       "button no longer does anything.", "show_alert": True}
    late_end = await press_data(sandbox, uid, taken, f"hotline:end:{case.id}", forged=True)
    assert late_end["answer"]["text"] == (
        "Consultation C-2026-0001 has already ended. To continue it, press Reopen on the "
        "closing message or send /reopen (within 48 hours).")

    stars = dict(buttons(closed))
    await press_data(sandbox, uid, closed, stars["4★"])
    thanks = await wait_edit(sandbox, uid, closed["message_id"])
    assert thanks["text"] == "Thank you for your rating: ★★★★ (consultation C-2026-0001)."
    # Rating leaves the way back open: Reopen stays for 48 hours.
    assert [label for label, _ in buttons(thanks)] == ["Reopen"]
    prompt = await wait_reply(sandbox, uid, "comment")
    await sandbox.send_text(uid, "Very clear, thanks")
    saved = await wait_reply(sandbox, uid, after=prompt["message_id"])
    assert saved["text"] == "Your comment is saved. Thank you!"
    repository = hotline.services.hotline.cases.repository
    rated = await repository.get(case.id)
    assert (rated.rating, rated.rating_comment, rated.closed_by) == (4, "Very clear, thanks",
                                                                     "expert")
    twice = await press_data(sandbox, uid, closed, stars["5★"], forged=True)
    assert twice["answer"] == {"text": "You have already rated consultation C-2026-0001: ★★★★.",
                               "show_alert": True}
    assert (await repository.get(case.id)).rating == 4

    await press_data(sandbox, uid, closed, buttons(thanks)[0][1])
    reopened = await wait_reply(sandbox, uid, "open again")
    assert reopened["text"].startswith("Consultation C-2026-0001 is open again")
    told = await wait_reply(sandbox, wang["id"], "reopened")
    assert told["text"].startswith("The asker has reopened consultation C-2026-0001")
    await bot_idle(hotline)
    # Reopening erases nothing, the closing message's Reopen goes, the case cards work again.
    assert (await repository.get(case.id)).rating == 4
    assert buttons(await _now(sandbox, uid, closed["message_id"])) == []
    assert [label for label, _ in buttons(await _now(sandbox, uid, taken["message_id"]))] == [
        "End consultation"]
    assert [label for label, _ in buttons(
        await _now(sandbox, wang["id"], card["message_id"]))] == ["✅ Close", "↪️ Transfer"]
    star_now = await press_data(sandbox, uid, closed, stars["5★"], forged=True)
    assert star_now["answer"]["text"] == (
        "Consultation C-2026-0001 is open again; you can rate it when it closes.")
    # A reply to the "reopened" note routes to the case.
    await sandbox.send_text(wang["id"], "Welcome back", reply_to=told["message_id"])
    assert (await wait_reply(sandbox, uid, "Welcome back"))
    await sandbox.send_text(uid, "One more thing")
    assert (await wait_reply(sandbox, wang["id"], "One more"))

    ended = await say(sandbox, uid, "/end")
    assert ended["text"].startswith("Consultation C-2026-0001 is closed.")
    told = await wait_reply(sandbox, wang["id"], "has ended")
    assert told["text"].startswith("The asker has ended consultation C-2026-0001")
    await press_data(sandbox, uid, ended, dict(buttons(ended))["2★"])
    rated_again = await wait_edit(sandbox, uid, ended["message_id"])
    # Reopened while the comment is still invited: the next message goes to the expert.
    await press_data(sandbox, uid, ended, buttons(rated_again)[0][1])
    await wait_reply(sandbox, uid, "open again")
    await sandbox.send_text(uid, "Not a comment")
    assert await wait_reply(sandbox, wang["id"], "Not a comment")
    ended = await say(sandbox, uid, "/end", "is closed")
    # Every rating given is kept; the case shows the latest.
    history = await repository.history.ratings(case.id)
    assert [(r.stars, r.comment) for r in history] == [(4, "Very clear, thanks"), (2, None)]
    assert (await repository.get(case.id)).rating == 2
    # The export: the latest rating in its columns, and every rating given at the end.
    [row] = await hotline.services.hotline.reports.export_rows(
        utcnow() - timedelta(days=1), utcnow() + timedelta(days=1), "en", str)
    values = dict(zip(EXPORT_COLUMNS, row, strict=True))
    assert (values["rating"], values["rating_comment"], values["all_ratings"]) == (2, "", "4;2")

    # Past 48 hours a closed case stays closed, and its Reopen button goes.
    await repository.changes.set_fields(case.id, closed_at=utcnow() - timedelta(hours=49))
    late = await press_data(sandbox, uid, ended, f"hotline:reopen:{case.id}", forged=True)
    assert late["answer"]["text"] == (
        "This consultation can no longer be reopened (only within 48 hours of closing).")
    assert (await repository.get(case.id)).status == CaseStatus.CLOSED
    await bot_idle(hotline)
    assert buttons(await _now(sandbox, uid, ended["message_id"])) == []


async def test_reopen_command_asks_which_of_several(hotline: Hotline,
                                                    sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma", language="zh-hans")
    uid = asker["id"]
    none = await say(sandbox, uid, "/reopen")
    assert none["text"] == "您没有 48 小时内结束、可以重新打开的咨询。如有新问题，请发送 /ask。"
    cases = hotline.services.hotline.cases
    for number, question in (("C-2026-0001", "第一个问题"), ("C-2026-0002", "第二个问题")):
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", question))
        offer = await offer_to(sandbox, wang["id"], number)
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await wait_reply(sandbox, uid, f"{number} 已由")
        case = await latest_case(hotline, uid)
        await cases.close(case, "expert")
        await wait_reply(sandbox, uid, f"{number} 已结束")
    which = await say(sandbox, uid, "/reopen")
    assert which["text"] == "要重新打开哪个咨询？"
    assert [label for label, _ in buttons(which)] == ["C-2026-0002", "C-2026-0001"]
    await press_data(sandbox, uid, which, buttons(which)[1][1])
    reopened = await wait_reply(sandbox, uid, "已重新打开")
    assert reopened["text"].startswith("咨询 C-2026-0001 已重新打开")
    first = await cases.repository.by_number("C-2026-0001")
    assert first.status == CaseStatus.OPEN
    await bot_idle(hotline)
    assert buttons(await _now(sandbox, uid, which["message_id"])) == []
    # The only one left closed is reopened at once.
    direct = await say(sandbox, uid, "/reopen")
    assert direct["text"].startswith("咨询 C-2026-0002 已重新打开")


async def test_transfer_to_another_category_and_to_another_expert(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    zhao = await expert(hotline, sandbox, "Zhao", "legal")
    li = await expert(hotline, sandbox, "Li", "finance")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await _claimed(hotline, sandbox, wang, asker, "C-2026-0001", "Money question")
    card = await wait_reply(sandbox, wang["id"], "yours to answer")
    await press_data(sandbox, wang["id"], card, buttons(card)[1][1])
    choice = await wait_reply(sandbox, wang["id"], "Transfer")
    labels = [label for label, _ in buttons(choice)]
    assert labels == ["Practice supervision", "Finance", "Policy",
                      "Project design and management", "Legal expert Zhao"]
    await press_data(sandbox, wang["id"], choice, dict(buttons(choice))["Finance"])
    await skip_handoff(sandbox, wang["id"], choice["message_id"])
    told = await wait_reply(sandbox, asker["id"], "transferred")
    assert told["text"].startswith("Your consultation C-2026-0001 has been transferred to "
                                   "Finance")
    offer = await offer_to(sandbox, li["id"], "C-2026-0001")
    await press_data(sandbox, li["id"], offer, buttons(offer)[0][1])
    taken = await wait_reply(sandbox, asker["id"], "Finance expert Li")
    assert taken["text"].startswith("💬 Consultation C-2026-0001 has been taken by Finance "
                                    "expert Li.")
    # Wang no longer holds the case: his card lost its buttons, and a late press is told so.
    assert buttons(await _now(sandbox, wang["id"], card["message_id"])) == []
    late = await press_data(sandbox, wang["id"], card, buttons(card)[0][1], forged=True)
    assert late["answer"] == {"text": "Consultation C-2026-0001 is no longer with you (it was "
                                      "transferred or handed over); nothing was changed.",
                              "show_alert": True}
    # A stranger's forged press is refused, not explained.
    stranger = await expert(hotline, sandbox, "Qian", "finance")
    forged = await press_data(sandbox, stranger["id"],
                              {"message_id": 1, "chat": {"id": stranger["id"]}},
                              buttons(card)[0][1], forged=True)
    assert forged["answer"]["text"].startswith("This button is not yours or no longer applies")
    case = await latest_case(hotline, asker["id"])
    assert (case.category, case.expert_id) == ("finance", li["id"])

    # A second case, handed by Wang straight to his colleague Zhao.
    await _claimed(hotline, sandbox, wang, asker, "C-2026-0002", "Contract question")
    card = await wait_reply(sandbox, wang["id"], "C-2026-0002 · Legal")
    await press_data(sandbox, wang["id"], card, buttons(card)[1][1])
    choice = await wait_reply(sandbox, wang["id"], "Transfer")
    await press_data(sandbox, wang["id"], choice, dict(buttons(choice))["Legal expert Zhao"])
    await skip_handoff(sandbox, wang["id"], choice["message_id"])
    zhao_card = await wait_reply(sandbox, zhao["id"], "yours to answer")
    history = await wait_reply(sandbox, zhao["id"], after=zhao_card["message_id"])
    assert history["text"] == "Contract question"
    told = await wait_reply(sandbox, asker["id"], "now answered")
    assert told["text"] == "Your consultation C-2026-0002 is now answered by Legal expert Zhao."


async def test_duty_on_off_stats_transcript_and_weekly_report(
        hotline: Hotline, sandbox: SandboxClient, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal,finance", name_en="Wang Wei",
                        language="zh-hans")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{wang['id']},finance,{ALL_DAY}")
    duty = await say(sandbox, wang["id"], "/duty")
    # A week of two categories a day is one line, not fourteen.
    zone = hotline.services.hotline.roster.zone
    today = utcnow().astimezone(zone).date()
    first = f"{today.month}月{today.day}日"
    last_day = today + timedelta(days=6)
    lines = duty["text"].split("\n")
    assert lines[0] == "法律专家 王老师 的值班安排"
    [week] = [line for line in lines if "00:00–24:00" in line]
    assert week.startswith(first) and f" 至 {last_day.month}月{last_day.day}日" in week
    assert week.endswith("：00:00–24:00 法律、财务")
    assert lines[-1] == "发送 /duty off 可暂停值班，/duty on 恢复。" and lines[-2] == ""
    sent = await sandbox.send_text(wang["id"], "/duty off")
    assert (await wait_reply(sandbox, wang["id"], after=sent["message_id"]))[
        "text"].startswith("好的，您现在暂停值班")
    cases = hotline.services.hotline.cases
    assert await hotline.services.hotline.roster.on_duty("legal", utcnow()) == []
    await say(sandbox, wang["id"], "/duty on")
    assert await hotline.services.hotline.roster.on_duty("legal", utcnow()) == [wang["id"]]

    asker = await social_worker(hotline, sandbox, "Emma")
    await _claimed(hotline, sandbox, wang, asker, "C-2026-0001", "<i>Hello</i>")
    await sandbox.send_text(wang["id"], "您好")
    await wait_reply(sandbox, asker["id"], "您好")
    case = await latest_case(hotline, asker["id"])
    await cases.close(case, "expert")
    await cases.rate(case.id, asker["id"], 5)

    staff = await sandbox.add_user("Zhou", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    stats = await say(sandbox, staff["id"], "/stats")
    assert "1 consultations, 1 claimed, 1 closed." in stats["text"]
    assert "Average rating 5 (1 ratings)." in stats["text"]
    assert "Legal: 1;" in stats["text"] and "王伟 (Legal expert Wang): 1;" in stats["text"]

    monkeypatch.setenv("HOTLINE_DATABASE_URL", hotline.settings.database_url)
    assert await asyncio.to_thread(cli_main, ["cases", "show", "c-2026-0001"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("C-2026-0001 · legal · closed")
    assert "asker: <i>Hello</i>" in printed[1] and "→" in printed[1]
    assert "expert: 您好" in printed[2]
    assert printed[-1].startswith("rating 5/5 (")  # each rating given, with its time

    admin = await sandbox.add_user("Admin", language_code="en")
    await sandbox.send_text(admin["id"], "/start")
    await wait_reply(sandbox, admin["id"])
    await hotline.services.people.grant(admin["id"], Role.ADMIN)
    assert await send_weekly_report(hotline.services, utcnow() + timedelta(days=7)) == 1
    report = await wait_reply(sandbox, admin["id"], "weekly report")
    assert "1 consultations" in report["text"]
    jobs = {job.key: job for job in hotline_jobs(hotline.services)}
    assert jobs[WEEKLY_REPORT_JOB_ID].schedule == Schedule("week", time(9, 0), weekday=0)


async def test_export_as_csv_and_xlsx(hotline: Hotline, sandbox: SandboxClient,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await _claimed(hotline, sandbox, wang, asker, "C-2026-0001", "Question")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", hotline.settings.database_url)
    today = utcnow().astimezone(hotline.services.hotline.reports.zone).date()
    csv_path, xlsx_path = tmp_path / "cases.csv", tmp_path / "cases.xlsx"
    for kind, path, locale in (("csv", csv_path, "en"), ("xlsx", xlsx_path, "zh_CN")):
        code = await asyncio.to_thread(cli_main, [
            "cases", "export", "--from", str(today), "--to", str(today), "--format", kind,
            "--output", str(path), "--locale", locale])
        assert code == 0
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Case number,Category,Status,Asker,Asker's Telegram ID,Expert")
    assert lines[1].startswith(f"C-2026-0001,Legal,Open,Emma,{asker['id']},Wang,{wang['id']}")
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_path).active
    assert [c.value for c in sheet[1]][:3] == ["案件编号", "类别", "状态"]
    assert sheet["A2"].value == "C-2026-0001" and sheet["Q2"].value == 1
    assert sheet.auto_filter.ref == "A1:R2"


async def test_forget_anonymises_the_askers_side_of_transcripts(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await _claimed(hotline, sandbox, wang, asker, "C-2026-0001", "My private question")
    await sandbox.send_text(wang["id"], "The expert's answer")
    await wait_reply(sandbox, asker["id"], "expert's answer")
    confirm = await say(sandbox, asker["id"], "/forget")
    await press_data(sandbox, asker["id"], confirm, buttons(confirm)[0][1])
    await wait_edit(sandbox, asker["id"], confirm["message_id"])
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(case.id)
    assert [(m.sender_role, m.text) for m in stored] == [
        ("asker", None), ("expert", "The expert's answer")]
