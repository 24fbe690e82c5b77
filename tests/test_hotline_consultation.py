"""The expert hotline end to end: asking, offering, racing claims, relaying, refusing."""

from __future__ import annotations

import asyncio

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import CaseStatus, Role
from tests.hotline_support import (
    ALL_DAY,
    PNG,
    ask,
    buttons,
    expert,
    has,
    latest_case,
    offer_to,
    roster,
    social_worker,
    starts,
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
    told = await sandbox.wait_for_bot_message(asker["id"], predicate=starts("Consultation"))
    assert told["text"] == ("Consultation C-2026-0001 (Legal) has been sent to 2 expert(s) on "
                            "duty. You will be told as soon as one takes it.")

    offers = [await offer_to(sandbox, e["id"], "C-2026-0001") for e in (wang, li)]
    assert "Can our station sign <b>contracts</b>?" in offers[0]["text"]  # shown literally
    assert "From: Taihe Social Work Station, Taihe Community" in offers[0]["text"]
    assert [label for label, _ in buttons(offers[0])] == ["✋ Claim"]
    answers = await asyncio.gather(*[
        sandbox.press_button(e["id"], e["id"], offer["message_id"], buttons(offer)[0][1])
        for e, offer in zip((wang, li), offers, strict=True)])
    texts = sorted(a["answer"]["text"] for a in answers)
    assert texts == ["Claimed: the question is yours.",
                     "Someone else has already taken this consultation."]
    winner, loser = (wang, li) if answers[0]["answer"]["text"].startswith("Claimed") else (li, wang)
    alias = "Legal expert Wang" if winner is wang else "Legal expert Li"
    loser_offer = offers[1] if loser is li else offers[0]
    edited = await sandbox.wait_for_edit(loser["id"], loser_offer["message_id"])
    assert edited["text"] == f"Consultation C-2026-0001 was taken by {alias}."
    assert not buttons(edited)

    taken = await sandbox.wait_for_bot_message(asker["id"], predicate=has("has been taken"))
    assert taken["text"].startswith(f"💬 Consultation C-2026-0001 has been taken by {alias}.")
    card = await sandbox.wait_for_bot_message(winner["id"], predicate=has("yours to answer"))
    question = await sandbox.wait_for_bot_message(winner["id"], after=card["message_id"])
    assert question["text"] == "Can our station sign <b>contracts</b>?"
    assert question["reply_to_message"]["message_id"] == card["message_id"]
    assert "forward_origin" not in question  # a copy: the asker's account stays hidden

    sent = await sandbox.send_text(winner["id"], "Yes, with the board's approval.")
    answer = await sandbox.wait_for_bot_message(asker["id"], after=taken["message_id"])
    assert answer["text"] == "Yes, with the board's approval."
    assert answer["reply_to_message"]["message_id"] == taken["message_id"]
    assert "forward_origin" not in answer
    follow_up = await sandbox.send_text(asker["id"], "Thanks! Which board?",
                                        reply_to=answer["message_id"])
    relayed = await sandbox.wait_for_bot_message(winner["id"], after=sent["message_id"])
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
    duty = await sandbox.wait_for_bot_message(accountant["id"])
    refused = await sandbox.press_button(accountant["id"], accountant["id"], duty["message_id"],
                                         f"hotline:claim:{case.id}", force=True)
    assert refused["answer"] == {"text": "You cannot claim this consultation.",
                                 "show_alert": True}
    await sandbox.send_text(resident["id"], "/start")
    menu = await sandbox.wait_for_bot_message(resident["id"])
    refused = await sandbox.press_button(resident["id"], resident["id"], menu["message_id"],
                                         f"hotline:claim:{case.id}", force=True)
    assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."
    for forged in ("hotline:claim:999999", "hotline:claim:x", "hotline:claim:1:2"):
        answer = await sandbox.press_button(lawyer["id"], lawyer["id"], offer["message_id"],
                                            forged, force=True)
        assert answer["answer"]["text"] == (
            "This button is not yours or no longer applies; nothing was changed. Send /help "
            "to see what you can do.")
    assert (await latest_case(hotline, asker["id"])).status == CaseStatus.OFFERED

    won = await sandbox.press_button(lawyer["id"], lawyer["id"], offer["message_id"],
                                     f"hotline:claim:{case.id}")
    assert won["answer"]["text"] == "Claimed: the question is yours."
    again = await sandbox.press_button(lawyer["id"], lawyer["id"], offer["message_id"],
                                       f"hotline:claim:{case.id}", force=True)
    assert again["answer"]["text"] == "Someone else has already taken this consultation."
    assert (await latest_case(hotline, asker["id"])).expert_id == lawyer["id"]


async def test_a_profile_comes_first_then_the_question(hotline: Hotline,
                                                       sandbox: SandboxClient) -> None:
    asker = await social_worker(hotline, sandbox, "Wei", profile=False)
    uid = asker["id"]
    sent = await sandbox.send_text(uid, "/ask")
    first = await sandbox.wait_for_bot_message(uid, after=sent["message_id"])
    assert first["text"].startswith("Before asking, please fill in your social-worker profile")
    for answer in ("Wang Wei", "Taihe Station"):
        sent = await sandbox.send_text(uid, answer)
        await sandbox.wait_for_bot_message(uid, after=sent["message_id"])
    sent = await sandbox.send_text(uid, "Wujing")
    chooser = await sandbox.wait_for_bot_message(uid, after=sent["message_id"],
                                                 predicate=lambda m: bool(buttons(m)))
    assert chooser["text"] == "Please choose the kind of advice you need:"
    assert [label for label, _ in buttons(chooser)] == [
        "Practice supervision", "Finance", "Legal", "Policy", "Project design and management"]
    assert (await hotline.services.profiles.get(uid)).community == "Wujing"
    # The deep link t.me/<bot>?start=ask opens the same chooser.
    sent = await sandbox.send_text(uid, "/start ask")
    linked = await sandbox.wait_for_bot_message(uid, after=sent["message_id"])
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
        await sandbox.press_button(wang["id"], wang["id"], offer["message_id"],
                                   buttons(offer)[0][1])
        card = await sandbox.wait_for_bot_message(wang["id"], predicate=has("yours to answer"))
        anchors[number] = await sandbox.wait_for_bot_message(wang["id"],
                                                             after=card["message_id"])
        await sandbox.wait_for_bot_message(asker["id"], predicate=has("has been taken"))

    await sandbox.send_text(wang["id"], "For Bo", reply_to=anchors["C-2026-0002"]["message_id"])
    assert (await sandbox.wait_for_bot_message(bo["id"]))["text"] == "For Bo"
    await sandbox.send_text(wang["id"], "For Emma",
                            reply_to=anchors["C-2026-0001"]["message_id"])
    assert (await sandbox.wait_for_bot_message(emma["id"]))["text"] == "For Emma"

    unrouted = await sandbox.send_text(wang["id"], "Which one am I?")
    question = await sandbox.wait_for_bot_message(wang["id"], after=unrouted["message_id"])
    assert question["text"].startswith("You have several open consultations")
    assert [label for label, _ in buttons(question)] == ["C-2026-0001", "C-2026-0002"]
    await sandbox.press_button(wang["id"], wang["id"], question["message_id"],
                               buttons(question)[1][1])
    assert (await sandbox.wait_for_bot_message(bo["id"]))["text"] == "Which one am I?"
    # The choice stays: the next message without a reply goes to the same case.
    await sandbox.send_text(wang["id"], "And this too")
    assert (await sandbox.wait_for_bot_message(bo["id"]))["text"] == "And this too"
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
    confirm = await sandbox.wait_for_bot_message(uid, after=photo["message_id"],
                                                 predicate=lambda m: bool(buttons(m)))
    assert confirm["text"].startswith("2 message(s) noted.")
    await submit(sandbox, asker, confirm)
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    assert "Attachments: 1 (shown after claiming)" in offer["text"]
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    card = await sandbox.wait_for_bot_message(wang["id"], predicate=has("yours to answer"))
    text_copy = await sandbox.wait_for_bot_message(wang["id"], after=card["message_id"])
    photo_copy = await sandbox.wait_for_bot_message(wang["id"], after=text_copy["message_id"])
    assert photo_copy["caption"] == "the invoice" and photo_copy["photo"]
    taken = await sandbox.wait_for_bot_message(uid, predicate=has("has been taken"))

    await sandbox.send_document(wang["id"], b"%PDF-1.4 rules", "rules.pdf",
                                           mime_type="application/pdf", caption="See rule 3")
    copy = await sandbox.wait_for_bot_message(uid, after=taken["message_id"])
    assert copy["document"]["file_name"] == "rules.pdf" and copy["caption"] == "See rule 3"
    assert await sandbox.file_bytes(copy["document"]["file_id"]) == b"%PDF-1.4 rules"

    sent = await sandbox.send_text(wang["id"], "Teh amount is right.")
    copy = await sandbox.wait_for_bot_message(uid, after=copy["message_id"])
    await sandbox.edit_text(wang["id"], wang["id"], sent["message_id"], "The amount is right.")
    edited = await sandbox.wait_for_edit(uid, copy["message_id"])
    assert edited["text"] == "The amount is right."
    # Caption edits: tests/test_hotline_relay_delivery.py.

    sticker_like = await sandbox.send_text(uid, "/not_a_case_command")
    reply = await sandbox.wait_for_bot_message(uid, after=sticker_like["message_id"])
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
    await sandbox.press_button(wang["id"], wang["id"], offer["message_id"], buttons(offer)[0][1])
    await sandbox.wait_for_bot_message(asker["id"], predicate=has("has been taken"))
    await sandbox.block_bot(asker["id"])
    sent = await sandbox.send_text(wang["id"], "Here is my answer")
    told = await sandbox.wait_for_bot_message(wang["id"], after=sent["message_id"],
                                              predicate=has("could not be delivered"))
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
    honest = await sandbox.wait_for_bot_message(asker["id"], predicate=has("C-2026-0001"))
    assert honest["text"].startswith("Consultation C-2026-0001 is registered. There is no duty "
                                     "shift for this category in the next two weeks")
    nobody = await sandbox.wait_for_bot_message(asker["id"], predicate=has("C-2026-0001"))
    assert nobody["text"].startswith("Sorry, no expert or staff member can be reached")
    sent = await sandbox.send_text(asker["id"], "/ask")
    refused = await sandbox.wait_for_bot_message(asker["id"], after=sent["message_id"])
    assert refused["text"].startswith("You already have 1 open consultations.")
    voice = await sandbox.send_voice(asker["id"], b"OggS voice", duration=2)
    held = await sandbox.wait_for_bot_message(asker["id"], after=voice["message_id"])
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
    sent = await sandbox.send_text(asker["id"], "/ask")
    refused = await sandbox.wait_for_bot_message(asker["id"], after=sent["message_id"])
    assert refused["text"].startswith("Sorry, you have been barred from the expert hotline.")
    assert await asyncio.to_thread(cli_main, ["cases", "unblock", str(asker["id"])]) == 0
    sent = await sandbox.send_text(asker["id"], "/ask")
    chooser = await sandbox.wait_for_bot_message(asker["id"], after=sent["message_id"])
    assert chooser["text"] == "Please choose the kind of advice you need:"
