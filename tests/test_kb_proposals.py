"""Closed cases proposed for the knowledge base, /forget on a proposal, experts reusing answers."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.kb.redaction import mask_numbers, redact
from services.profiles import Profile
from storage.models import KbStatus
from tests.driver import buttons, press_data, wait_edit, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker, submit
from tests.kb_support import ENTRIES_CSV, knowledge_base_ready


def test_mobiles_and_id_numbers_are_masked_and_names_removed() -> None:
    masked = mask_numbers("电话13912345678，或 +86 139-1234-5678")
    assert masked == "电话139****5678，或 139****5678"
    assert mask_numbers("身份证11010519491231002X号") == "身份证11**************2X号"
    assert mask_numbers("账号 6222021234567890123 不动") == "账号 6222021234567890123 不动"
    assert mask_numbers("12345678901") == "12345678901"  # not a mobile prefix
    text = redact("我是王芳，太和社工站的，电话13812345678", ["王芳"], ["太和社工站"])
    assert text == "我是［姓名］，［机构］的，电话138****5678"


async def _closed_case(hotline: Hotline, sandbox: SandboxClient) -> tuple[dict, dict, dict]:
    await knowledge_base_ready(hotline)
    wang = await expert(hotline, sandbox, "王伟", "legal", language="zh-hans")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "王芳", language="zh-hans")
    await hotline.services.profiles.save(asker["id"], Profile("王芳", "太和社工站", "太和社区"))
    await submit(sandbox, asker, await ask(
        sandbox, asker, "legal", "我是太和社工站的王芳，电话13812345678，老人想立遗嘱怎么办？"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    card = await wait_reply(sandbox, wang["id"], "C-2026-0001")
    await sandbox.send_text(wang["id"], "王芳您好，自书遗嘱须本人亲笔书写、签名并注明日期。")
    await wait_reply(sandbox, asker["id"], "亲笔书写")
    await sandbox.send_document(wang["id"], b"%PDF-1.4 sample", "遗嘱范本.pdf",
                                mime_type="application/pdf", caption="遗嘱范本")
    await wait_reply(sandbox, asker["id"], "遗嘱范本")
    close = next(data for _, data in buttons(card) if data.startswith("hotline:close:"))
    await press_data(sandbox, wang["id"], card, close)
    offer = await wait_reply(sandbox, wang["id"], "加入知识库")
    return wang, asker, offer


async def test_the_expert_proposes_a_closed_case_without_the_askers_details(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang, asker, offer = await _closed_case(hotline, sandbox)
    assert [label for label, _ in buttons(offer)] == ["📚 加入知识库"]
    data = buttons(offer)[0][1]
    refused = await press_data(sandbox, asker["id"],
                               (await sandbox.bot_messages(asker["id"]))[-1], data, forged=True)
    assert refused["answer"]["text"]  # only the case's expert may propose it
    await press_data(sandbox, wang["id"], offer, data)
    done = await wait_edit(sandbox, wang["id"], offer["message_id"])
    assert done["text"].startswith("✅ 已提议把 C-2026-0001 加入知识库")
    kb = hotline.services.kb
    [proposal] = await kb.repository.listing([KbStatus.PROPOSED])
    assert proposal.question == "我是［机构］的［姓名］，电话138****5678，老人想立遗嘱怎么办？"
    assert proposal.answer == "［姓名］您好，自书遗嘱须本人亲笔书写、签名并注明日期。\n遗嘱范本"
    assert '"kind": "document"' in proposal.attachments
    assert proposal.proposed_by == wang["id"] and proposal.source_case_id is not None
    assert await kb.search("立遗嘱") == []  # not public before staff approve it

    await press_data(sandbox, wang["id"], offer, data, forged=True)
    again = await wait_edit(sandbox, wang["id"], offer["message_id"])
    assert again["text"].startswith("C-2026-0001 已经提议过")
    assert len(await kb.repository.listing([KbStatus.PROPOSED])) == 1

    approved = await kb.proposals.approve(proposal.id, 1, question="老人想立遗嘱怎么办？")
    assert approved.status == KbStatus.PUBLISHED and approved.approved_by == 1
    assert (await kb.search("老人立遗嘱"))[0].entry.id == proposal.id
    assert await kb.proposals.approve(proposal.id, 1) is None  # approved once

    # Read in full: the answer, then the expert's document.
    reader = await social_worker(hotline, sandbox, "李", language="zh-hans")
    await sandbox.send_text(reader["id"], "/faq 老人立遗嘱")
    listing = await wait_reply(sandbox, reader["id"], "知识库条目")
    await press_data(sandbox, reader["id"], listing, buttons(listing)[0][1])
    await wait_reply(sandbox, reader["id"], "亲笔书写")
    document = await wait_reply(sandbox, reader["id"], lambda m: "document" in m)
    assert document["document"]["file_name"] == "遗嘱范本.pdf"


async def test_forget_erases_the_askers_unapproved_proposal(hotline: Hotline,
                                                            sandbox: SandboxClient) -> None:
    wang, asker, offer = await _closed_case(hotline, sandbox)
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_edit(sandbox, wang["id"], offer["message_id"])
    report = await hotline.services.privacy.forget(asker["id"])
    assert report["kb_proposals"] == 1
    assert await hotline.services.kb.repository.listing([KbStatus.PROPOSED]) == []


async def test_an_expert_sends_an_entrys_answer_as_the_reply(hotline: Hotline,
                                                             sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    await hotline.services.kb.import_csv(ENTRIES_CSV)
    wang = await expert(hotline, sandbox, "Wang", "legal", language="en")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Our dog barks at night"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")

    await sandbox.send_text(wang["id"], "/faq 项目资金入账")
    listing = await wait_reply(sandbox, wang["id"], "Knowledge-base")
    await press_data(sandbox, wang["id"], listing, buttons(listing)[0][1])
    entry = await wait_reply(sandbox, wang["id"], "Knowledge base ·")
    assert "copy the text above, edit it" in entry["text"]
    assert [label for label, _ in buttons(entry)] == ["📤 Send as my reply in C-2026-0001"]
    await press_data(sandbox, wang["id"], entry, buttons(entry)[0][1])
    relayed = await wait_reply(sandbox, asker["id"], "专款专用")
    assert relayed["text"].startswith("按照专款专用原则")
    await wait_reply(sandbox, wang["id"], "went to the asker")
    case = (await hotline.services.hotline.cases.repository.active_of_asker(asker["id"]))[0]
    assert case.first_answer_at is not None

    # A forged button for someone else's case is refused and sends nothing.
    other = await press_data(sandbox, asker["id"], relayed, buttons(entry)[0][1], forged=True)
    assert other["answer"]["text"] == "This entry or consultation can no longer take a reply."
