"""Issue 16's last pieces: an expert edits a knowledge-base answer before it goes to the
asker (bounded, shown back, stale previews and cancelling do nothing), and staff are told of
each new proposal once, with a link to review it in the console."""

from __future__ import annotations

from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import KbStatus, Role
from tests.driver import buttons, press_data, say, wait_edit, wait_reply
from tests.hotline_support import (
    ALL_DAY,
    ask,
    expert,
    offer_to,
    roster,
    social_worker,
    submit,
)
from tests.kb_support import ENTRIES_CSV, knowledge_base_ready
from tests.support import bot_idle, running_hotline, staff_forum_group

REFUSED = "This button is not yours or no longer applies; nothing was changed."


async def _claimed_case(hotline: Hotline, sandbox: SandboxClient) -> tuple[dict, dict]:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "Wang", "legal", language="en")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "How to book project money"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")
    return wang, asker


async def _edit_offer(sandbox: SandboxClient, wang: dict) -> dict:
    listing = await say(sandbox, wang["id"], "/faq 项目资金入账", "Knowledge-base")
    return await press_data(sandbox, wang["id"], listing, buttons(listing)[0][1],
                            "Want to change")


async def test_an_expert_edits_an_answer_before_it_goes_to_the_asker(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang, asker = await _claimed_case(hotline, sandbox)
    offer = await _edit_offer(sandbox, wang)
    assert [label for label, _ in buttons(offer)] == ["✏️ Edit, then send in C-2026-0001"]
    # Someone else pressing a forged copy of the button is refused, and no edit opens.
    latest = (await sandbox.bot_messages(asker["id"]))[-1]
    forged = await press_data(sandbox, asker["id"], latest, buttons(offer)[0][1], forged=True)
    assert forged["answer"]["text"] == "This entry or consultation can no longer take a reply."
    asked = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1],
                             "Send me the edited")
    assert "at most 4000 characters" in asked["text"]

    too_long = await say(sandbox, wang["id"], "长" * 4001, "characters")
    assert too_long["text"] == ("This text has 4001 characters, more than the limit of 4000; "
                                "please shorten it and send it again.")
    first = await say(sandbox, wang["id"], "First draft: Tom & Jerry <b>not bold</b>",
                      "Preview")
    assert first["text"] == ("Preview: this goes to the asker as your reply in C-2026-0001\n\n"
                             "First draft: Tom & Jerry <b>not bold</b>")
    assert [label for label, _ in buttons(first)] == ["📤 Send", "✖️ Cancel"]
    second = await say(sandbox, wang["id"], "按照专款专用原则单独设账，发票抬头写机构全称。",
                       "Preview")

    # The older preview no longer acts: only the latest text can be sent.
    stale = await press_data(sandbox, wang["id"], first, buttons(first)[0][1])
    assert stale["answer"]["text"].startswith(REFUSED)
    await press_data(sandbox, wang["id"], second, buttons(second)[0][1])
    relayed = await wait_reply(sandbox, asker["id"], "专款专用")
    assert relayed["text"] == "按照专款专用原则单独设账，发票抬头写机构全称。"
    await wait_reply(sandbox, wang["id"], "went to the asker")
    again = await press_data(sandbox, wang["id"], second, buttons(second)[0][1], forged=True)
    assert again["answer"]["text"].startswith(REFUSED)  # sent once
    await bot_idle(hotline)
    told = [m.get("text") or "" for m in await sandbox.bot_messages(asker["id"])]
    assert not any("First draft" in t or "长长" in t for t in told)
    assert sum("发票抬头" in t for t in told) == 1
    case = (await hotline.services.hotline.cases.repository.active_of_asker(asker["id"]))[0]
    assert case.first_answer_at is not None

    # Cancel: by the button, then by /cancel; nothing reaches the asker either way.
    offer = await _edit_offer(sandbox, wang)
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1], "Send me the edited")
    preview = await say(sandbox, wang["id"], "Cancelled draft", "Preview")
    await press_data(sandbox, wang["id"], preview, buttons(preview)[1][1])
    cancelled = await wait_edit(sandbox, wang["id"], preview["message_id"])
    assert cancelled["text"] == "Cancelled; nothing was sent."
    offer = await _edit_offer(sandbox, wang)
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1], "Send me the edited")
    await sandbox.send_text(wang["id"], "/cancel")
    await bot_idle(hotline)
    # With the edit over, a typed message is a reply to the asker again.
    await sandbox.send_text(wang["id"], "A reply typed as usual")
    await wait_reply(sandbox, asker["id"], "typed as usual")
    told = [m.get("text") or "" for m in await sandbox.bot_messages(asker["id"])]
    assert not any("Cancelled draft" in t for t in told)


async def test_staff_are_told_once_of_a_new_proposal_with_a_link_to_review_it(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        await knowledge_base_ready(hotline)
        wang = await expert(hotline, sandbox, "王伟", "legal", language="zh-hans")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "老人想立遗嘱怎么办？"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        card = await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1], "C-2026-0001")
        await sandbox.send_text(wang["id"], "自书遗嘱须本人亲笔书写、签名并注明日期。")
        await wait_reply(sandbox, asker["id"], "亲笔书写")
        close = next(data for _, data in buttons(card) if data.startswith("hotline:close:"))
        propose = await press_data(sandbox, wang["id"], card, close, "加入知识库")
        await press_data(sandbox, wang["id"], propose, buttons(propose)[0][1])
        await wait_edit(sandbox, wang["id"], propose["message_id"])
        [proposal] = await hotline.services.kb.repository.listing([KbStatus.PROPOSED])
        case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")

        def is_note(message: dict) -> bool:
            return "C-2026-0001" in (message.get("text") or "") and \
                "知识库" in (message.get("text") or "")

        note = await wait_reply(sandbox, group["id"], is_note, after=0)
        assert note["message_thread_id"] == case.staff_thread_id
        assert note["text"] == ("📚 王伟 提议把咨询 C-2026-0001 加入知识库（已去除提问人的个人"
                                "信息），请审核后再公开：在控制台审核")
        links = [e.get("url") for e in note.get("entities", []) if e["type"] == "text_link"]
        assert links == [f"http://127.0.0.1:{hotline.http_port}/console/kb/{proposal.id}"]

        # Pressed again (a second tap, a forged copy): no second proposal, no second note.
        await press_data(sandbox, wang["id"], propose, buttons(propose)[0][1], forged=True)
        await wait_edit(sandbox, wang["id"], propose["message_id"])
        await bot_idle(hotline)
        notes = [m for m in await sandbox.bot_messages(group["id"]) if is_note(m)]
        assert len(notes) == 1
    finally:
        await hotline.stop()
