"""Buttons whose step is done go away, and a late press says what happened and what to do
next; case cards use the locale's own comma."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.profiles import Profile
from tests.driver import buttons, press_data, say, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker
from tests.support import bot_idle


async def _now(sandbox: SandboxClient, chat_id: int, message_id: int) -> dict:
    return next(m for m in await sandbox.messages(chat_id) if m["message_id"] == message_id)


async def test_a_superseded_send_prompt_loses_its_buttons(hotline: Hotline,
                                                          sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    uid = asker["id"]
    first = await ask(sandbox, asker, "legal", "Part one")
    sent = await sandbox.send_text(uid, "Part two")
    second = await wait_reply(sandbox, uid, lambda m: bool(buttons(m)), after=sent["message_id"])
    assert second["text"].startswith("2 message(s) noted.")
    await bot_idle(hotline)
    assert buttons(await _now(sandbox, uid, first["message_id"])) == []
    # An old list of categories cannot throw away the question being written.
    chooser = next(m for m in await sandbox.bot_messages(uid)
                   if m["text"].startswith("Category: Legal"))
    kept = await press_data(sandbox, uid, chooser, "hotline:ask:finance", forged=True)
    assert kept["answer"]["text"] == ("You are writing a question (2 message(s) noted): press "
                                      "Send on the latest message, or send /cancel to start "
                                      "over.")

    await press_data(sandbox, uid, second, "hotline:ask_send")
    await offer_to(sandbox, wang["id"], "C-2026-0001")
    late = await press_data(sandbox, uid, first, "hotline:ask_send", forged=True)
    assert late["answer"] == {"text": "This question has already been sent or cancelled. To "
                                      "ask another, send /ask.", "show_alert": True}
    cases = await hotline.services.hotline.cases.repository.active_of_asker(uid)
    assert len(cases) == 1  # nothing was sent twice
    transcript = hotline.services.hotline.cases.repository.transcript
    questions = [m.text for m in await transcript.messages(cases[0].id)]
    assert questions == ["Part one", "Part two"]


async def test_stale_staff_buttons_and_the_case_card_comma(hotline: Hotline,
                                                           sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", language="zh-hans")
    li = await expert(hotline, sandbox, "Li", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "李娜", language="zh-hans")
    await hotline.services.profiles.save(
        asker["id"], Profile("李娜", "阳光社会工作服务中心", "太和社区"))
    confirm = await ask(sandbox, asker, "legal", "问题")
    await press_data(sandbox, asker["id"], confirm, "hotline:ask_send")
    zh_offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    en_offer = await offer_to(sandbox, li["id"], "C-2026-0001")
    assert "来自：阳光社会工作服务中心，太和社区" in zh_offer["text"]
    assert "阳光社会工作服务中心, 太和社区" not in zh_offer["text"]
    assert "From: 阳光社会工作服务中心, 太和社区" in en_offer["text"]

    await press_data(sandbox, wang["id"], zh_offer, buttons(zh_offer)[0][1])
    card = await wait_reply(sandbox, wang["id"], "由您解答")
    assert "来自：阳光社会工作服务中心，太和社区" in card["text"]
    # Wang opens the transfer menu, then closes the case: the menu's choices are stale.
    await press_data(sandbox, wang["id"], card, buttons(card)[1][1])
    menu = await wait_reply(sandbox, wang["id"], "转给哪个类别")
    await say(sandbox, wang["id"], "/close", "已结束")
    late = await press_data(sandbox, wang["id"], menu, dict(buttons(menu))["财务"])
    assert late["answer"]["text"] == "咨询 C-2026-0001 已经结束，这个按钮不再有效。"
    await bot_idle(hotline)
    assert buttons(await _now(sandbox, wang["id"], menu["message_id"])) == []
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case.category == "legal"


async def test_ending_a_waiting_case_takes_the_claim_buttons_away(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    confirm = await ask(sandbox, asker, "legal", "Never mind")
    await press_data(sandbox, asker["id"], confirm, "hotline:ask_send")
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await say(sandbox, asker["id"], "/end", "is closed")
    await bot_idle(hotline)
    assert buttons(await _now(sandbox, wang["id"], offer["message_id"])) == []
    late = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1], forged=True)
    assert late["answer"]["text"] == ("Consultation C-2026-0001 is already closed; this button "
                                      "no longer does anything.")
