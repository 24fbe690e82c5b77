"""Staff compose an announcement through the bot; people subscribe through the buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.announcements_support import progress_reaching
from tests.driver import data_of, labels, person, press, press_data, say, wait_edit, wait_reply
from tests.support import quiet_clock, settings_for


async def test_a_newcomer_is_offered_a_subscription_and_chooses_topics(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Lin", language_code="en")
    offer = await say(sandbox, user["id"], "/start",
                      lambda m: m["text"].startswith("Would you like"))
    assert labels(offer) == ["Yes, choose topics", "No, thanks"]
    assert (await hotline.services.subscriptions.settings(user["id"])).topics == frozenset()
    await press_data(sandbox, user["id"], offer, "sub:menu")
    menu = await wait_edit(sandbox, user["id"], offer["message_id"])
    assert labels(menu) == ["☐ Project calls", "☐ Trainings", "☐ Policy news", "☐ Events",
                            "📍 My street", "Done"]
    answer = await press_data(sandbox, user["id"], offer, "sub:topic:policy")
    assert answer["answer"]["text"] == "Subscribed"
    menu = await wait_edit(sandbox, user["id"], offer["message_id"])
    assert "✅ Policy news" in labels(menu)
    assert menu["text"].startswith("You are subscribed to: Policy news")
    await press_data(sandbox, user["id"], offer, "sub:streets")
    streets = await wait_edit(sandbox, user["id"], offer["message_id"])
    await press_data(sandbox, user["id"], offer, data_of(streets, labels(streets)[0]))
    await wait_edit(sandbox, user["id"], offer["message_id"])
    stored = await hotline.services.subscriptions.settings(user["id"])
    assert stored.topics == {"policy"} and stored.street is not None
    # A resident cannot narrow project kinds (a social-worker setting), even by a forged press.
    forged = await press_data(sandbox, user["id"], offer, "sub:kind:elderly_care", forged=True)
    assert forged["answer"]["text"].startswith("This button is no longer valid")
    for data in ("sub:topic:nonsense", "sub:street:99", "sub:street:-1"):
        forged = await press_data(sandbox, user["id"], offer, data, forged=True)
        assert forged["answer"]["show_alert"] is True
    reply = await say(sandbox, user["id"], "/unsubscribe")
    assert reply["text"].startswith("You will receive no more announcements.")
    assert (await hotline.services.subscriptions.settings(user["id"])).topics == frozenset()


async def test_a_social_worker_narrows_project_calls_by_kind(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    worker = await person(sandbox, hotline, "Wei", role=Role.SOCIAL_WORKER, first="/start")
    menu = await say(sandbox, worker["id"], "/subscribe")
    assert "🗂 Project kinds" in labels(menu)
    await press_data(sandbox, worker["id"], menu, "sub:kinds")
    kinds = await wait_edit(sandbox, worker["id"], menu["message_id"])
    assert "☐ Home-based elderly care" in labels(kinds)
    await press_data(sandbox, worker["id"], menu, "sub:kind:elderly_care")
    kinds = await wait_edit(sandbox, worker["id"], menu["message_id"])
    assert "✅ Home-based elderly care" in labels(kinds)
    stored = await hotline.services.subscriptions.settings(worker["id"])
    assert stored.kinds == {"elderly_care"}


async def test_staff_compose_a_project_call_with_preview_and_everyone_gets_it(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    worker = await person(sandbox, hotline, "Wei", role=Role.SOCIAL_WORKER, first="/start")
    resident = await person(sandbox, hotline, "Ann", first="/start")
    subs = hotline.services.subscriptions
    for someone in (worker, resident):
        await subs.subscribe(someone["id"], ["projects"])

    topics = await say(sandbox, staff["id"], "/announce", expect="Choose the topic")
    assert labels(topics) == ["Project calls", "Trainings", "Policy news", "Events"]
    ask = await press(sandbox, staff["id"], topics, "Project calls", expect="title")
    ask = await say(sandbox, staff["id"], "x" * 129)
    assert ask["text"] == "That is too long: at most 128 characters."
    await say(sandbox, staff["id"], "Elderly care <2027>", expect="Send the text")
    attach = await say(sandbox, staff["id"], "Apply <b>now</b> & bring forms",
                       expect="Send a photo")
    await press(sandbox, staff["id"], attach, "Skip", expect="Send a link")
    refused = await say(sandbox, staff["id"], "javascript:alert(1)")
    assert refused["text"].startswith("That is not a link")
    kinds = await say(sandbox, staff["id"], "https://example.org/call",
                      expect="kind of project")
    await press(sandbox, staff["id"], kinds, "Home-based elderly care", expect="budget")
    refused = await say(sandbox, staff["id"], "-3")
    assert refused["text"].startswith("Send an amount above 0")
    await say(sandbox, staff["id"], "12.5", expect="deadline")
    refused = await say(sandbox, staff["id"], "2001-01-01")
    assert refused["text"] == "That time has passed; send a time in the future."
    await say(sandbox, staff["id"], "2099-12-31", expect="eligibility")
    await say(sandbox, staff["id"], "Registered social organisations", expect="contact")
    audience = await say(sandbox, staff["id"], "Ms Li 0871-1234567", expect="Audience")
    assert "Recipients: 2" in audience["text"]
    await press_data(sandbox, staff["id"], audience, "ann:role:social_worker")
    narrowed = await wait_edit(sandbox, staff["id"], audience["message_id"])
    assert "Recipients: 1" in narrowed["text"] and "✅ social worker" in labels(narrowed)
    when = await press(sandbox, staff["id"], narrowed, "Next", expect="When?")
    confirm = await press(sandbox, staff["id"], when, "Send now", expect="Send it?")
    assert "Recipients: 1" in confirm["text"]
    preview = (await sandbox.bot_messages(staff["id"]))[-2]
    assert preview["text"].startswith("📢 Project calls\nElderly care <2027>")
    # Typed markup stays text: formatting comes only from the message's entities.
    assert "Apply <b>now</b> & bring forms" in preview["text"]
    assert [e["type"] for e in preview["entities"]].count("bold") == 1  # the title
    assert "Budget: 12.5 × 10,000 yuan" in preview["text"]
    assert labels(preview) == ["Details"]

    await press_data(sandbox, staff["id"], confirm, "ann:send")
    received = await wait_reply(sandbox, worker["id"], lambda m: m["text"].startswith("📢"))
    assert received["text"] == preview["text"]
    report = await progress_reaching(sandbox, staff["id"], confirm["message_id"],
                                     "has been sent")
    assert "Sent 1 · blocked 0 · failed 0 · remaining 0" in report["text"]
    assert not [m for m in await sandbox.bot_messages(resident["id"])
                if m["text"].startswith("📢")]
    # The old confirmation cannot send it twice.
    again = await press_data(sandbox, staff["id"], confirm, "ann:send", forged=True)
    assert again["answer"]["show_alert"] is True


async def test_a_resident_cannot_announce_nor_press_staff_buttons(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    resident = await person(sandbox, hotline, "Ann", first="/start")
    reply = await say(sandbox, resident["id"], "/announce")
    assert reply["text"] == "Sorry, you are not allowed to do that."
    for forged in ("ann:send", "ann:stop:1", "ann:topic:projects"):
        answer = await press_data(sandbox, resident["id"], reply, forged, forged=True)
        assert answer["answer"]["text"] == "Sorry, you are not allowed to do that."


async def test_a_half_written_draft_survives_a_restart(sandbox_server, sandbox: SandboxClient,
                                                       tmp_path) -> None:
    settings = settings_for(sandbox_server, tmp_path)
    first = await build_hotline(settings, clock=quiet_clock)
    await first.start()
    try:
        staff = await person(sandbox, first, "Zhou", role=Role.STAFF, first="/start")
        topics = await say(sandbox, staff["id"], "/announce", expect="Choose the topic")
        await press(sandbox, staff["id"], topics, "Events", expect="title")
        await say(sandbox, staff["id"], "Carnival", expect="Send the text")
    finally:
        await first.stop()
    second = await build_hotline(settings, clock=quiet_clock)
    await second.start()
    try:
        resumed = await say(sandbox, staff["id"], "/announce", expect="Send the text")
        assert resumed["text"].startswith("Send the text")
        attach = await say(sandbox, staff["id"], "Saturday in the park", expect="photo")
        await sandbox.send_photo(staff["id"], _PNG, caption=None)
        link = await wait_reply(sandbox, staff["id"], lambda m: "Send a link" in m["text"])
        assert attach and link
    finally:
        await second.stop()


async def test_the_formatting_staff_type_is_kept(hotline: Hotline,
                                                 sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["events"])
    topics = await say(sandbox, staff["id"], "/announce", expect="Choose the topic")
    await press(sandbox, staff["id"], topics, "Events", expect="title")
    await say(sandbox, staff["id"], "Carnival", expect="Send the text")
    # Bold and a link made with the client's formatting toolbar, plus a literal "<b>".
    sent = await sandbox.send_text(
        staff["id"], '<b>Saturday</b> in the <a href="https://park.example">park</a> &lt;b&gt;',
        formatted=True)
    attach = await wait_reply(sandbox, staff["id"], lambda m: "Send a photo" in m["text"],
                              after=sent["message_id"])
    link = await press(sandbox, staff["id"], attach, "Skip", expect="Send a link")
    audience = await press(sandbox, staff["id"], link, "Skip", expect="Audience")
    when = await press(sandbox, staff["id"], audience, "Next", expect="When?")
    confirm = await press(sandbox, staff["id"], when, "Send now", expect="Send it?")
    await press_data(sandbox, staff["id"], confirm, "ann:send")
    received = await wait_reply(sandbox, reader["id"], lambda m: "Carnival" in m["text"],
                                timeout=10)
    assert "Saturday in the park <b>" in received["text"]
    before = received["text"][:received["text"].index("Saturday")]
    body_at = len(before.encode("utf-16-le")) // 2  # entity offsets count UTF-16 units
    kinds = {(e["type"], e["offset"] - body_at, e["length"], e.get("url"))
             for e in received["entities"]}
    assert ("bold", 0, 8, None) in kinds
    assert ("text_link", 16, 4, "https://park.example/") in kinds


# A 1x1 PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


async def test_a_time_typed_schedules_it_and_stop_cancels_it(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["events"])
    topics = await say(sandbox, staff["id"], "/announce", expect="Choose the topic")
    await press(sandbox, staff["id"], topics, "Events", expect="title")
    await say(sandbox, staff["id"], "Carnival", expect="Send the text")
    attach = await say(sandbox, staff["id"], "Saturday", expect="Send a photo")
    link = await press(sandbox, staff["id"], attach, "Skip", expect="Send a link")
    audience = await press(sandbox, staff["id"], link, "Skip", expect="Audience")
    when = await press(sandbox, staff["id"], audience, "Next", expect="When?")
    for wrong, reason in (("tomorrow", "That is not a time"),
                          ("2001-01-01 09:00", "That time has passed"),
                          ("2099-01-01 09:00", "at most 90 days ahead")):
        refused = await say(sandbox, staff["id"], wrong)
        assert reason in refused["text"]
    local = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)
    typed = local.strftime("%Y-%m-%d 09:30")
    confirm = await say(sandbox, staff["id"], typed, expect="Send it?")
    assert f"Sending at: {typed}" in confirm["text"] and "Recipients: 1" in confirm["text"]
    assert when
    await press_data(sandbox, staff["id"], confirm, "ann:send")
    scheduled = await progress_reaching(sandbox, staff["id"], confirm["message_id"],
                                        "will be sent at")
    assert f"will be sent at {typed}" in scheduled["text"]
    job = hotline.application.job_queue.scheduler.get_job("announcement-1")
    assert job is not None
    assert job.next_run_time.astimezone(ZoneInfo("Asia/Shanghai")).strftime(
        "%Y-%m-%d %H:%M") == typed
    await press_data(sandbox, staff["id"], scheduled, "ann:stop:1")
    stopped = await progress_reaching(sandbox, staff["id"], confirm["message_id"],
                                      "was stopped")
    assert "Sent 0 · blocked 0 · failed 0 · remaining 0" in stopped["text"]
    rows = await hotline.services.delivery.outbox.campaign_rows("announcement", 1)
    assert [state for _chat, state, _mid in rows] == ["cancelled"]
