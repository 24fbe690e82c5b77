"""The console's case services, end to end through the sandbox: the filtered list, a
transcript as both sides saw it, and reassign / transfer / close telling people as the bot
does (tests/browser/test_console_ops.py drives the same through the pages)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.actors import Actor
from services.audit import CONSOLE
from services.hotline.case_browser import PAGE_SIZE, CaseFilters
from services.people import PeopleService
from services.refusals import Refused
from storage.db import Database
from storage.models import CaseMessage, CaseStatus, Role, utcnow
from storage.repositories.hotline_browsing import CaseQuery, HotlineBrowsingRepository
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.users import UserRepository
from tests.console_ops_support import consultation
from tests.driver import buttons, wait_edit, wait_reply
from tests.hotline_support import offer_to


async def test_the_transcript_shows_what_both_sides_saw(hotline: Hotline,
                                                        sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    detail = await hotline.services.hotline.case_browser.detail("c-2026-0001")
    assert detail is not None
    assert (detail.asker_name, detail.expert_name) == ("Emma", "王伟")
    assert (detail.alias_zh, detail.alias_en) == ("法律专家 王老师", "Legal expert Wang")
    assert detail.asker_organisation == "Taihe Social Work Station · Taihe Community"
    assert [(o.name, o.level) for o in detail.offers] == [("王伟", 0)]
    entries = detail.entries
    assert [(e.side, e.kind, e.current_text) for e in entries] == [
        ("asker", "text", "How do we sign a lease?"),
        ("expert", "text", "Bring the organisation's seal."),
        ("asker", "photo", "the draft lease"),
        ("asker", "text", "Is a scanned copy enough?"),
    ]
    question, answer, photo, follow_up = entries
    assert question.recipient_name == "王伟" and question.delivery == "delivered"
    assert (answer.alias_en, answer.sender_name, answer.recipient_name) == (
        "Legal expert Wang", "王伟", "Emma")
    assert photo.media_ref and not photo.edits
    assert follow_up.text == "Is a copy enough?"
    assert [e.text for e in follow_up.edits] == ["Is a scanned copy enough?"]
    assert all(e.at >= detail.case.created_at for e in entries)
    assert await hotline.services.hotline.case_browser.detail("C-2026-9999") is None
    # /forget: the asker's words are gone from the transcript, the messages are not.
    await hotline.services.hotline.cases.repository.transcript.anonymise_asker(talk.asker["id"])
    erased = (await hotline.services.hotline.case_browser.detail("C-2026-0001")).entries
    assert [e.erased for e in erased] == [True, False, True, True]


async def test_the_list_filters_and_pages(hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    repository = hotline.services.hotline.cases.repository
    for _ in range(PAGE_SIZE + 2):
        await repository.create(talk.asker["id"], "finance", None, 0)
    browser = hotline.services.hotline.case_browser
    first = await browser.search(CaseFilters(), 1)
    assert (first.total, first.pages, len(first.items)) == (PAGE_SIZE + 3, 2, PAGE_SIZE)
    assert first.items[0].case.number == f"C-2026-{PAGE_SIZE + 3:04d}"  # newest first
    last = await browser.search(CaseFilters(), 2)
    assert [i.case.number for i in last.items][-1] == "C-2026-0001"
    found = await browser.search(CaseFilters(category="legal", expert_id=talk.wang["id"],
                                             status=CaseStatus.OPEN), 1)
    assert [(i.case.number, i.expert_name, i.asker_name, i.messages) for i in found.items] == [
        ("C-2026-0001", "王伟", "Emma", 4)]
    assert (await browser.search(CaseFilters(status=CaseStatus.CLOSED), 1)).total == 0
    today = utcnow().astimezone(browser.zone).date()
    assert (await browser.search(CaseFilters(first=today, last=today), 1)).total == PAGE_SIZE + 3
    yesterday = today - timedelta(days=1)
    assert (await browser.search(CaseFilters(last=yesterday), 1)).total == 0
    assert (await browser.search(CaseFilters(number="0001"), 1)).total == 1

    texts = hotline.services.texts

    def in_(locale: str):
        return locale, lambda key: texts.text(locale, key)

    data, count, name = await browser.export(today, today, "csv", *in_("en"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert (count, name, len(rows)) == (PAGE_SIZE + 3, f"cases-{today}-{today}.csv",
                                        PAGE_SIZE + 4)
    assert rows[0][:7] == ["Case number", "Category", "Status", "Asker", "Asker's Telegram ID",
                           "Expert", "Expert's Telegram ID"]
    assert rows[1][:7] == ["C-2026-0001", "Legal", "Open", "Emma", str(talk.asker["id"]),
                           "王伟", str(talk.wang["id"])]
    opened = rows[1][7]
    assert len(opened) == 16 and opened.startswith(today.isoformat())
    data, count, name = await browser.export(today, today, "xlsx", *in_("zh_CN"))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == PAGE_SIZE + 4 and sheet["A2"].value == "C-2026-0001"
    assert [c.value for c in sheet[1]][:4] == ["案件编号", "类别", "状态", "咨询人"]
    assert [c.value for c in sheet[2]][1:4] == ["法律", "处理中", "Emma"]
    assert sheet.auto_filter.ref == f"A1:R{PAGE_SIZE + 4}" and sheet.freeze_panes == "A2"
    # A real date in local (Asia/Shanghai) time, as the CSV shows it.
    assert sheet["H2"].is_date and sheet["H2"].value.strftime("%Y-%m-%d %H:%M") == opened
    assert sheet.column_dimensions["A"].width >= len("C-2026-0001")
    assert (await browser.export(date(2020, 1, 1), date(2020, 1, 2), "csv",
                                 *in_("en")))[1] == 0


async def test_reassign_transfer_and_close_tell_everyone(hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    doors = hotline.services.hotline.actions
    staff = Actor(1, frozenset({"staff"}), CONSOLE)
    uid, number = talk.asker["id"], "C-2026-0001"
    for expert_id, key in [(talk.li["id"], "other_category"), (talk.wang["id"], "same_expert"),
                           (uid, "not_expert")]:
        with pytest.raises(Refused) as refused:
            await doors.reassign(staff, number, expert_id)
        assert (refused.value.key, refused.value.field) == (f"console_ops.cases.error.{key}",
                                                            "expert")

    moved = await doors.reassign(staff, number, talk.zhao["id"])
    assert (moved.before.expert_id, moved.after.expert_id) == (talk.wang["id"], talk.zhao["id"])
    told = await wait_reply(sandbox, uid, "now answered by")
    assert told["text"] == ("Your consultation C-2026-0001 is now answered by "
                            "Legal expert Zhao.")
    await wait_reply(sandbox, talk.wang["id"], "handed to someone")
    card = await wait_reply(sandbox, talk.zhao["id"], "yours to answer")
    assert card["text"].startswith("💬 Consultation C-2026-0001 · Legal: yours to answer.")
    # The new expert reads what was said so far.
    await wait_reply(sandbox, talk.zhao["id"], "organisation's seal")

    with pytest.raises(Refused) as refused:
        await doors.transfer(staff, number, "legal")
    assert refused.value.key == "console_ops.cases.error.same_category"
    transferred = await doors.transfer(staff, number, "finance")
    assert (transferred.after.status, transferred.after.category) == (CaseStatus.OFFERED,
                                                                      "finance")
    told = await wait_reply(sandbox, uid, "transferred")
    assert told["text"].startswith("Your consultation C-2026-0001 has been transferred to "
                                   "Finance")
    note = await wait_reply(sandbox, talk.zhao["id"], "Bureau staff")
    assert note["text"] == ("Bureau staff have transferred consultation C-2026-0001 to "
                            "another field; you need not answer it any more.")
    offer = await offer_to(sandbox, talk.li["id"], number)

    # A waiting case is claimed for the chosen expert, as the staff group's Reassign does.
    claimed = await doors.reassign(staff, number, talk.li["id"])
    assert (claimed.before.status, claimed.after.status) == (CaseStatus.OFFERED,
                                                             CaseStatus.OPEN)
    await wait_edit(sandbox, talk.li["id"], offer["message_id"])
    await wait_reply(sandbox, uid, "has been taken")
    closed = await doors.close(staff, number)
    assert (closed.after.status, closed.after.closed_by) == (CaseStatus.CLOSED, "staff")
    rating = await wait_reply(sandbox, uid, "is closed")
    assert [label for label, _ in buttons(rating)] == ["1★", "2★", "3★", "4★", "5★", "Reopen"]
    note = await wait_reply(sandbox, talk.li["id"], "Bureau staff")
    assert note["text"] == "Bureau staff have closed consultation C-2026-0001. Thank you!"
    with pytest.raises(Refused) as refused:
        await doors.close(staff, number)
    assert refused.value.key == "console_ops.cases.error.closed"
    with pytest.raises(Refused) as refused:
        await doors.close(staff, "C-2026-0404")
    assert refused.value.key == "console_ops.cases.error.no_case"


async def test_the_search_query_on_each_database(database: Database) -> None:
    people = PeopleService(UserRepository(database), "zh_CN", ())
    for telegram_id in (1, 2):
        await people.grant(telegram_id, Role.SOCIAL_WORKER)
    cases = CaseRepository(database)
    made = [await cases.create(1, "legal", None, 0), await cases.create(2, "finance", None, 0),
            await cases.create(1, "legal", None, 0)]
    await cases.changes.claim(made[0].id, 2)
    await cases.add_message(CaseMessage(case_id=made[0].id, sender_role="asker", sender_id=1,
                                        source_chat_id=1, source_message_id=5, kind="text",
                                        text="hi"))
    await cases.add_message(CaseMessage(case_id=made[0].id, sender_role="asker", sender_id=1,
                                        source_chat_id=1, source_message_id=5, kind="text",
                                        text="hi!", version=1))
    browsing = HotlineBrowsingRepository(database)
    rows, total = await browsing.search_cases(CaseQuery(), 0, 2)
    assert total == 3 and [r.case.id for r in rows] == [made[2].id, made[1].id]
    rows, total = await browsing.search_cases(
        CaseQuery(category="legal", expert_id=2, status=CaseStatus.OPEN,
                  first=made[0].created_at, last=utcnow() + timedelta(minutes=1),
                  number=made[0].number[-4:]), 0, 10)
    assert (total, [(r.case.id, r.messages) for r in rows]) == (1, [(made[0].id, 1)])
    assert (await browsing.search_cases(CaseQuery(number="%"), 0, 10))[1] == 0
