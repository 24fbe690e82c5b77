"""Issue 16's last pieces: an expert edits a knowledge-base answer before it goes to the
asker (bounded, shown back, stale previews and cancelling do nothing), and staff are told of
each new proposal once, with a link to review it in the console."""

from __future__ import annotations

from pathlib import Path

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import KbStatus, Role
from tests.driver import buttons, has
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
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    await sandbox.wait_for_bot_message(asker["id"], predicate=has("has been taken"))
    return wang, asker


async def _edit_offer(sandbox: SandboxClient, wang: dict) -> dict:
    await sandbox.send_text(wang["id"], "/faq 项目资金入账")
    listing = await sandbox.wait_for_bot_message(wang["id"], predicate=has("Knowledge-base"))
    await sandbox.press_button(wang["id"], wang["id"], listing["message_id"],
                               buttons(listing)[0][1])
    return await sandbox.wait_for_bot_message(wang["id"], predicate=has("Want to change"))


async def test_an_expert_edits_an_answer_before_it_goes_to_the_asker(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang, asker = await _claimed_case(hotline, sandbox)
    offer = await _edit_offer(sandbox, wang)
    assert [label for label, _ in buttons(offer)] == ["✏️ Edit, then send in C-2026-0001"]
    # Someone else pressing a forged copy of the button is refused, and no edit opens.
    latest = (await sandbox.bot_messages(asker["id"]))[-1]["message_id"]
    forged = await sandbox.press_button(asker["id"], asker["id"], latest,
                                        buttons(offer)[0][1], force=True)
    assert forged["answer"]["text"] == "This entry or consultation can no longer take a reply."
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    asked = await sandbox.wait_for_bot_message(wang["id"], predicate=has("Send me the edited"))
    assert "at most 4000 characters" in asked["text"]

    await sandbox.send_text(wang["id"], "长" * 4001)
    too_long = await sandbox.wait_for_bot_message(wang["id"], predicate=has("characters"))
    assert too_long["text"] == ("This text has 4001 characters, more than the limit of 4000; "
                                "please shorten it and send it again.")
    await sandbox.send_text(wang["id"], "First draft: Tom & Jerry <b>not bold</b>")
    first = await sandbox.wait_for_bot_message(wang["id"], predicate=has("Preview"))
    assert first["text"] == ("Preview: this goes to the asker as your reply in C-2026-0001\n\n"
                             "First draft: Tom & Jerry <b>not bold</b>")
    assert [label for label, _ in buttons(first)] == ["📤 Send", "✖️ Cancel"]
    await sandbox.send_text(wang["id"], "按照专款专用原则单独设账，发票抬头写机构全称。")
    second = await sandbox.wait_for_bot_message(wang["id"], predicate=has("Preview"))

    # The older preview no longer acts: only the latest text can be sent.
    stale = await sandbox.press_button(wang["id"], wang["id"], first["message_id"],
                                       buttons(first)[0][1])
    assert stale["answer"]["text"].startswith(REFUSED)
    await sandbox.press_button(wang["id"], wang["id"], second["message_id"],
                               buttons(second)[0][1])
    relayed = await sandbox.wait_for_bot_message(asker["id"], predicate=has("专款专用"))
    assert relayed["text"] == "按照专款专用原则单独设账，发票抬头写机构全称。"
    await sandbox.wait_for_bot_message(wang["id"], predicate=has("went to the asker"))
    again = await sandbox.press_button(wang["id"], wang["id"], second["message_id"],
                                       buttons(second)[0][1], force=True)
    assert again["answer"]["text"].startswith(REFUSED)  # sent once
    await bot_idle(hotline)
    told = [m.get("text") or "" for m in await sandbox.bot_messages(asker["id"])]
    assert not any("First draft" in t or "长长" in t for t in told)
    assert sum("发票抬头" in t for t in told) == 1
    case = (await hotline.services.hotline.cases.repository.active_of_asker(asker["id"]))[0]
    assert case.first_answer_at is not None

    # Cancel: by the button, then by /cancel; nothing reaches the asker either way.
    offer = await _edit_offer(sandbox, wang)
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    await sandbox.wait_for_bot_message(wang["id"], predicate=has("Send me the edited"))
    await sandbox.send_text(wang["id"], "Cancelled draft")
    preview = await sandbox.wait_for_bot_message(wang["id"], predicate=has("Preview"))
    await sandbox.press_button(wang["id"], wang["id"], preview["message_id"],
                               buttons(preview)[1][1])
    cancelled = await sandbox.wait_for_edit(wang["id"], preview["message_id"])
    assert cancelled["text"] == "Cancelled; nothing was sent."
    offer = await _edit_offer(sandbox, wang)
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    await sandbox.wait_for_bot_message(wang["id"], predicate=has("Send me the edited"))
    await sandbox.send_text(wang["id"], "/cancel")
    await bot_idle(hotline)
    # With the edit over, a typed message is a reply to the asker again.
    await sandbox.send_text(wang["id"], "A reply typed as usual")
    await sandbox.wait_for_bot_message(asker["id"], predicate=has("typed as usual"))
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
        await sandbox.press_button(wang["id"], wang["id"], offer["message_id"],
                                   buttons(offer)[0][1])
        card = await sandbox.wait_for_bot_message(wang["id"], predicate=has("C-2026-0001"))
        await sandbox.send_text(wang["id"], "自书遗嘱须本人亲笔书写、签名并注明日期。")
        await sandbox.wait_for_bot_message(asker["id"], predicate=has("亲笔书写"))
        close = next(data for _, data in buttons(card) if data.startswith("hotline:close:"))
        await sandbox.press_button(wang["id"], wang["id"], card["message_id"], close)
        propose = await sandbox.wait_for_bot_message(wang["id"], predicate=has("加入知识库"))
        await sandbox.press_button(wang["id"], wang["id"], propose["message_id"],
                                   buttons(propose)[0][1])
        await sandbox.wait_for_edit(wang["id"], propose["message_id"])
        [proposal] = await hotline.services.kb.repository.listing([KbStatus.PROPOSED])
        case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")

        def is_note(message: dict) -> bool:
            return "C-2026-0001" in (message.get("text") or "") and \
                "知识库" in (message.get("text") or "")

        note = await sandbox.wait_for_bot_message(group["id"], after=0, predicate=is_note)
        assert note["message_thread_id"] == case.staff_thread_id
        assert note["text"] == ("📚 王伟 提议把咨询 C-2026-0001 加入知识库（已去除提问人的个人"
                                "信息），请审核后再公开：在控制台审核")
        links = [e.get("url") for e in note.get("entities", []) if e["type"] == "text_link"]
        assert links == [f"http://127.0.0.1:{hotline.http_port}/console/kb/{proposal.id}"]

        # Pressed again (a second tap, a forged copy): no second proposal, no second note.
        await sandbox.press_button(wang["id"], wang["id"], propose["message_id"],
                                   buttons(propose)[0][1], force=True)
        await sandbox.wait_for_edit(wang["id"], propose["message_id"])
        await bot_idle(hotline)
        notes = [m for m in await sandbox.bot_messages(group["id"]) if is_note(m)]
        assert len(notes) == 1
    finally:
        await hotline.stop()
