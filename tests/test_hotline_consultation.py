"""The expert hotline end to end: asking, offering, racing claims, relaying, refusing."""

from __future__ import annotations

import asyncio

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import CaseStatus, Role
from tests.driver import buttons, press_data, say, starts, wait_edit, wait_reply
from tests.hotline_support import (
    ALL_DAY,
    PNG,
    ask,
    expert,
    latest_case,
    offer_to,
    roster,
    social_worker,
    submit,
)
from tests.support import bot_idle


async def test_happy_path_with_two_experts_racing_to_claim(hotline: Hotline,
                                                           sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    li = await expert(hotline, sandbox, "李娜", "legal", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")

    confirm = await ask(sandbox, asker, "legal", "Can our station sign <b>contracts</b>?")
    assert confirm["text"].startswith("1 message(s) noted.")
    assert [label for label, _ in buttons(confirm)] == ["📨 Send", "Cancel"]
    await submit(sandbox, asker, confirm)
    told = await wait_reply(sandbox, asker["id"], starts("Consultation"))
    assert told["text"] == ("Consultation C-2026-0001 (Legal) has been sent to 2 expert(s) on "
                            "duty. You will be told as soon as one takes it.")

    offers = [await offer_to(sandbox, e["id"], "C-2026-0001") for e in (wang, li)]
    assert "Can our station sign <b>contracts</b>?" in offers[0]["text"]  # shown literally
    assert "From: Taihe Social Work Station, Taihe Community" in offers[0]["text"]
    assert [label for label, _ in buttons(offers[0])] == ["✋ Claim", "🙅 Decline"]
    answers = await asyncio.gather(*[
        press_data(sandbox, e["id"], offer, buttons(offer)[0][1])
        for e, offer in zip((wang, li), offers, strict=True)])
    texts = sorted(a["answer"]["text"] for a in answers)
    assert texts == ["Claimed: the question is yours.",
                     "Someone else has already taken this consultation."]
    winner, loser = (wang, li) if answers[0]["answer"]["text"].startswith("Claimed") else (li, wang)
    alias = "Legal expert Wang" if winner is wang else "Legal expert Li"
    loser_offer = offers[1] if loser is li else offers[0]
    edited = await wait_edit(sandbox, loser["id"], loser_offer["message_id"])
    assert edited["text"] == f"Consultation C-2026-0001 was taken by {alias}."
    assert not buttons(edited)

    taken = await wait_reply(sandbox, asker["id"], "has been taken")
    assert taken["text"].startswith(f"💬 Consultation C-2026-0001 has been taken by {alias}.")
    card = await wait_reply(sandbox, winner["id"], "yours to answer")
    question = await wait_reply(sandbox, winner["id"], after=card["message_id"])
    assert question["text"] == "Can our station sign <b>contracts</b>?"
    assert question["reply_to_message"]["message_id"] == card["message_id"]
    assert "forward_origin" not in question  # a copy: the asker's account stays hidden

    sent = await sandbox.send_text(winner["id"], "Yes, with the board's approval.")
    answer = await wait_reply(sandbox, asker["id"], after=taken["message_id"])
    assert answer["text"] == "Yes, with the board's approval."
    assert answer["reply_to_message"]["message_id"] == taken["message_id"]
    assert "forward_origin" not in answer
    follow_up = await sandbox.send_text(asker["id"], "Thanks! Which board?",
                                        reply_to=answer["message_id"])
    relayed = await wait_reply(sandbox, winner["id"], after=sent["message_id"])
    assert relayed["text"] == "Thanks! Which board?"
    assert relayed["reply_to_message"]["message_id"] == sent["message_id"]  # thread kept

    case = await latest_case(hotline, asker["id"])
    assert (case.status, case.expert_id) == (CaseStatus.OPEN, winner["id"])
    assert case.first_answer_at is not None
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(case.id)
    assert [(m.sender_role, m.text) for m in stored] == [
        ("asker", "Can our station sign <b>contracts</b>?"),
        ("expert", "Yes, with the board's approval."),
        ("asker", "Thanks! Which board?")]
    assert stored[2].source_message_id == follow_up["message_id"]
    assert stored[2].target_message_id == relayed["message_id"]


async def test_forged_and_foreign_claims_are_refused(hotline: Hotline,
                                                     sandbox: SandboxClient) -> None:
    lawyer = await expert(hotline, sandbox, "Wang", "legal")
    accountant = await expert(hotline, sandbox, "Li", "finance")
    await roster(hotline, f"{lawyer['id']},legal,{ALL_DAY}",
                 f"{accountant['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    resident = await sandbox.add_user("Res", language_code="en")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "A question"))
    offer = await offer_to(sandbox, lawyer["id"], "C-2026-0001")
    case = await latest_case(hotline, asker["id"])

    await sandbox.send_text(accountant["id"], "/duty")
    duty = await wait_reply(sandbox, accountant["id"])
    refused = await press_data(sandbox, accountant["id"], duty, f"hotline:claim:{case.id}",
                               forged=True)
    assert refused["answer"] == {"text": "You cannot claim this consultation.",
                                 "show_alert": True}
    await sandbox.send_text(resident["id"], "/start")
    menu = await wait_reply(sandbox, resident["id"])
    refused = await press_data(sandbox, resident["id"], menu, f"hotline:claim:{case.id}",
                               forged=True)
    assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."
    for forged in ("hotline:claim:999999", "hotline:claim:x", "hotline:claim:1:2"):
        answer = await press_data(sandbox, lawyer["id"], offer, forged, forged=True)
        assert answer["answer"]["text"] == (
            "This button is not yours or no longer applies; nothing was changed. Send /help "
            "to see what you can do.")
    assert (await latest_case(hotline, asker["id"])).status == CaseStatus.OFFERED

    won = await press_data(sandbox, lawyer["id"], offer, f"hotline:claim:{case.id}")
    assert won["answer"]["text"] == "Claimed: the question is yours."
    again = await press_data(sandbox, lawyer["id"], offer, f"hotline:claim:{case.id}", forged=True)
    assert again["answer"]["text"] == "Someone else has already taken this consultation."
    assert (await latest_case(hotline, asker["id"])).expert_id == lawyer["id"]


async def test_a_profile_comes_first_then_the_question(hotline: Hotline,
                                                       sandbox: SandboxClient) -> None:
    asker = await social_worker(hotline, sandbox, "Wei", profile=False)
    uid = asker["id"]
    first = await say(sandbox, uid, "/ask")
    assert first["text"].startswith("Before asking, please fill in your social-worker profile")
    for answer in ("Wang Wei", "Taihe Station"):
        await say(sandbox, uid, answer)
    chooser = await say(sandbox, uid, "Wujing", lambda m: bool(buttons(m)))
    assert chooser["text"] == "Please choose the kind of advice you need:"
    assert [label for label, _ in buttons(chooser)] == [
        "Practice supervision", "Finance", "Legal", "Policy", "Project design and management"]
    assert (await hotline.services.profiles.get(uid)).community == "Wujing"
    # The deep link t.me/<bot>?start=ask opens the same chooser.
    linked = await say(sandbox, uid, "/start ask")
    assert linked["text"] == "Please choose the kind of advice you need:"


async def test_an_expert_with_two_open_cases_routes_by_reply_or_asks(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    emma = await social_worker(hotline, sandbox, "Emma")
    bo = await social_worker(hotline, sandbox, "Bo")
    anchors = {}
    for number, asker in (("C-2026-0001", emma), ("C-2026-0002", bo)):
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", f"Question of {number}"))
        offer = await offer_to(sandbox, wang["id"], number)
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        card = await wait_reply(sandbox, wang["id"], "yours to answer")
        anchors[number] = await wait_reply(sandbox, wang["id"], after=card["message_id"])
        await wait_reply(sandbox, asker["id"], "has been taken")

    await sandbox.send_text(wang["id"], "For Bo", reply_to=anchors["C-2026-0002"]["message_id"])
    assert (await wait_reply(sandbox, bo["id"]))["text"] == "For Bo"
    await sandbox.send_text(wang["id"], "For Emma",
                            reply_to=anchors["C-2026-0001"]["message_id"])
    assert (await wait_reply(sandbox, emma["id"]))["text"] == "For Emma"

    question = await say(sandbox, wang["id"], "Which one am I?")
    assert question["text"].startswith("You have several open consultations")
    assert [label for label, _ in buttons(question)] == ["C-2026-0001", "C-2026-0002"]
    await press_data(sandbox, wang["id"], question, buttons(question)[1][1])
    assert (await wait_reply(sandbox, bo["id"]))["text"] == "Which one am I?"
    # The choice stays: the next message without a reply goes to the same case.
    await sandbox.send_text(wang["id"], "And this too")
    assert (await wait_reply(sandbox, bo["id"]))["text"] == "And this too"
    emma_case = (await hotline.services.hotline.cases.repository.active_of_asker(emma["id"]))[0]
    await bot_idle(hotline)
    texts = [m.text for m in await hotline.services.hotline.cases.repository.transcript.messages(
        emma_case.id)]
    assert texts == ["Question of C-2026-0001", "For Emma"]


async def test_photos_documents_and_edits_are_relayed(hotline: Hotline,
                                                      sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "finance")
    await roster(hotline, f"{wang['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    uid = asker["id"]
    confirm = await ask(sandbox, asker, "finance", "Is this invoice fine?")
    photo = await sandbox.send_photo(uid, PNG, caption="the invoice")
    confirm = await wait_reply(sandbox, uid, lambda m: bool(buttons(m)), after=photo["message_id"])
    assert confirm["text"].startswith("2 message(s) noted.")
    await submit(sandbox, asker, confirm)
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    assert "Attachments: 1 (shown after claiming)" in offer["text"]
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    card = await wait_reply(sandbox, wang["id"], "yours to answer")
    text_copy = await wait_reply(sandbox, wang["id"], after=card["message_id"])
    photo_copy = await wait_reply(sandbox, wang["id"], after=text_copy["message_id"])
    assert photo_copy["caption"] == "the invoice" and photo_copy["photo"]
    taken = await wait_reply(sandbox, uid, "has been taken")

    await sandbox.send_document(wang["id"], b"%PDF-1.4 rules", "rules.pdf",
                                           mime_type="application/pdf", caption="See rule 3")
    copy = await wait_reply(sandbox, uid, after=taken["message_id"])
    assert copy["document"]["file_name"] == "rules.pdf" and copy["caption"] == "See rule 3"
    assert await sandbox.file_bytes(copy["document"]["file_id"]) == b"%PDF-1.4 rules"

    sent = await sandbox.send_text(wang["id"], "Teh amount is right.")
    copy = await wait_reply(sandbox, uid, after=copy["message_id"])
    await sandbox.edit_text(wang["id"], wang["id"], sent["message_id"], "The amount is right.")
    edited = await wait_edit(sandbox, uid, copy["message_id"])
    assert edited["text"] == "The amount is right."
    # Caption edits: tests/test_hotline_relay_delivery.py.

    reply = await say(sandbox, uid, "/not_a_case_command")
    assert reply["text"].startswith("There is no command")
    case = await latest_case(hotline, uid)
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(case.id)
    assert [(m.kind, m.version, m.text) for m in stored] == [
        ("text", 0, "Is this invoice fine?"), ("photo", 0, "the invoice"),
        ("document", 0, "See rule 3"), ("text", 0, "Teh amount is right."),
        ("text", 1, "The amount is right.")]
    assert stored[1].media_ref and stored[2].media_ref


async def test_the_asker_blocked_the_bot_mid_case(hotline: Hotline,
                                                  sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Help?"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")
    await sandbox.block_bot(asker["id"])
    told = await say(sandbox, wang["id"], "Here is my answer", "could not be delivered")
    assert told["text"] == ("This message could not be delivered (consultation C-2026-0001): "
                            "the other side has stopped or blocked the bot.")
    case = await latest_case(hotline, asker["id"])
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(case.id)
    assert (stored[-1].text, stored[-1].delivery) == ("Here is my answer", "failed")


async def test_open_case_limit_and_unsupported_input(hotline: Hotline,
                                                     sandbox: SandboxClient) -> None:
    asker = await social_worker(hotline, sandbox, "Emma")
    hotline.services.hotline.cases.max_open_cases = 1
    await submit(sandbox, asker, await ask(sandbox, asker, "policy", "First"))
    honest = await wait_reply(sandbox, asker["id"], "C-2026-0001")
    assert honest["text"].startswith("Consultation C-2026-0001 is registered. There is no duty "
                                     "shift for this category in the next two weeks")
    nobody = await wait_reply(sandbox, asker["id"], "C-2026-0001")
    assert nobody["text"].startswith("Sorry, no expert or staff member can be reached")
    refused = await say(sandbox, asker["id"], "/ask")
    assert refused["text"].startswith("You already have 1 open consultations.")
    voice = await sandbox.send_voice(asker["id"], b"OggS voice", duration=2)
    held = await wait_reply(sandbox, asker["id"], after=voice["message_id"])
    assert held["text"].startswith("Consultation C-2026-0001 is still waiting for an expert")
    assert await hotline.services.people.get(asker["id"]) is not None
    assert Role.SOCIAL_WORKER.value in (await hotline.services.people.get(asker["id"])).roles


async def test_staff_can_bar_a_person_from_the_hotline(hotline: Hotline,
                                                       sandbox: SandboxClient,
                                                       monkeypatch, capsys) -> None:
    from bot.cli import main as cli_main

    asker = await social_worker(hotline, sandbox, "Troll")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", hotline.settings.database_url)
    assert await asyncio.to_thread(cli_main, ["cases", "block", str(asker["id"]),
                                              "--reason", "abuse"]) == 0
    assert "is barred from the hotline" in capsys.readouterr().out
    refused = await say(sandbox, asker["id"], "/ask")
    assert refused["text"].startswith("Sorry, you have been barred from the expert hotline.")
    assert await asyncio.to_thread(cli_main, ["cases", "unblock", str(asker["id"])]) == 0
    chooser = await say(sandbox, asker["id"], "/ask")
    assert chooser["text"] == "Please choose the kind of advice you need:"
