"""The real bot against the local Bot API sandbox: what people see, and what is stored."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

import pytest

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from scheduler.housekeeping import RETENTION_JOB_ID, enforce_retention, housekeeping_jobs
from services.conversation_log import LogEntry
from services.periodic import Schedule
from storage.models import Role, utcnow
from tests.driver import labels, press, press_data, say, wait_edit, wait_reply
from tests.support import quiet_clock, settings_for


async def test_start_in_chinese_shows_welcome_and_menu(hotline: Hotline,
                                                       sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("李", last_name="阿姨", language_code="zh-hans")
    await sandbox.send_text(user["id"], "/start")
    reply = await wait_reply(sandbox, user["id"])
    assert reply["text"].startswith("您好，李阿姨！欢迎使用社区热线。")
    shown = labels(reply)
    assert {"💡 提交金点子", "📢 项目公告", "❓ 帮助", "🌐 语言 / Language",
            "🔒 我的数据"} <= set(shown)
    assert "💬 咨询专家" not in shown  # asking experts is for social workers and staff
    person = await hotline.services.people.get(user["id"])
    assert person.locale == "zh_CN" and person.roles == {"resident"}


async def test_start_in_english_and_the_second_time(hotline: Hotline,
                                                    sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    reply = await say(sandbox, user["id"], "/start")
    assert reply["text"].startswith("Hello, Emma! Welcome to the Community Hotline.")
    again = await say(sandbox, user["id"], "/start")
    assert again["text"].startswith("Welcome back, Emma!")


async def test_a_name_with_markup_is_shown_literally(hotline: Hotline,
                                                     sandbox: SandboxClient) -> None:
    user = await sandbox.add_user('<b>Bo</b> & <a href="https://x.example">x</a>',
                                  language_code="en")
    await sandbox.send_text(user["id"], "/start")
    reply = await wait_reply(sandbox, user["id"])
    assert 'Hello, <b>Bo</b> & <a href="https://x.example">x</a>!' in reply["text"]
    assert not [e for e in reply.get("entities", []) if e["type"] in ("bold", "text_link")]


async def test_menu_button_and_language_switch(hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("小红", language_code="zh-hans")
    await sandbox.send_text(user["id"], "/start")
    menu = await wait_reply(sandbox, user["id"])
    await press_data(sandbox, user["id"], menu, "menu:language")
    # (A newcomer also gets the announcements offer after the menu: skip past it.)
    chooser = await wait_reply(sandbox, user["id"], lambda m: m["text"] == "请选择语言：",
                               after=menu["message_id"])
    assert labels(chooser) == ["简体中文", "English（英语）"]
    answer = await press_data(sandbox, user["id"], chooser, "lang:set:en")
    assert answer["answer"] is not None
    edited = await wait_edit(sandbox, user["id"], chooser["message_id"])
    assert edited["text"] == "Language changed to English."
    await sandbox.send_text(user["id"], "/help")
    help_reply = await wait_reply(sandbox, user["id"], after=chooser["message_id"])
    assert help_reply["text"].startswith("Commands")
    assert (await hotline.services.people.get(user["id"])).locale == "en"


async def test_help_lists_the_commands_of_my_roles(hotline: Hotline,
                                                   sandbox: SandboxClient) -> None:
    resident = await sandbox.add_user("Res", language_code="en")
    worker = await sandbox.add_user("Sw", language_code="en")
    await hotline.services.people.grant(worker["id"], Role.SOCIAL_WORKER)
    for user in (resident, worker):
        await sandbox.send_text(user["id"], "/help")
    resident_help = await wait_reply(sandbox, resident["id"])
    worker_help = await wait_reply(sandbox, worker["id"])
    assert "/language — Change language" in resident_help["text"]
    assert "/profile" not in resident_help["text"]
    assert "/profile — Fill in my social-worker profile" in worker_help["text"]
    assert "social worker" in worker_help["text"]


async def test_command_menus_are_set_per_language(hotline: Hotline,
                                                  sandbox: SandboxClient) -> None:
    english = {c["command"]: c["description"] for c in await sandbox.my_commands(
        language_code="en")}
    chinese = {c["command"]: c["description"] for c in await sandbox.my_commands(
        language_code="zh")}
    assert english["language"] == "Change language" and chinese["language"] == "切换语言"
    assert "profile" not in english  # a role command is not in everyone's menu


async def test_unknown_command_and_free_text_get_a_clear_reply(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    reply = await say(sandbox, user["id"], "/frobnicate <b>now</b>")
    assert reply["text"] == "There is no command /frobnicate. Send /help to see what I can do."
    # Like Telegram, "/x<b>" is no command at all: it is answered as free text.
    reply = await say(sandbox, user["id"], "/x<b>")
    assert reply["text"].startswith("I did not understand that message.")
    # 5,000 characters: more than one Telegram message holds, so the client sends two.
    long_text = "长" * 5000
    parts = [long_text[:4096], long_text[4096:]]
    for part in parts:
        reply = await say(sandbox, user["id"], part)
        assert reply["text"].startswith("I did not understand that message.")
    history = await hotline.services.conversation_log.history(user["id"])
    stored = [e.text for e in history if e.direction == "in" and e.kind == "text"]
    assert "".join(stored[-2:]) == long_text  # nothing lost


async def test_the_menu_follows_the_roles_and_is_checked_on_press(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    resident = await sandbox.add_user("Res", language_code="en")
    worker = await sandbox.add_user("Sw", language_code="en")
    await hotline.services.people.grant(worker["id"], Role.SOCIAL_WORKER)
    menus = {}
    for user in (resident, worker):
        await sandbox.send_text(user["id"], "/start")
        menus[user["id"]] = await wait_reply(sandbox, user["id"])
    worker_labels = labels(menus[worker["id"]])
    assert worker_labels[0] == "💬 Ask an expert" and "💡 Submit an idea" in worker_labels
    assert "💬 Ask an expert" not in labels(menus[resident["id"]])
    # A resident who forges the social workers' button gets a refusal, not the dialog.
    answer = await press_data(sandbox, resident["id"], menus[resident["id"]], "menu:ask",
                              forged=True)
    assert answer["answer"]["text"] == "This button is no longer valid. Please open the menu again."
    await press_data(sandbox, worker["id"], menus[worker["id"]], "menu:ask")
    asked = await wait_reply(sandbox, worker["id"], lambda m: "profile" in m["text"].lower())
    assert asked["text"]


async def test_a_forged_button_is_refused(hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    menu = await wait_reply(sandbox, user["id"])
    for forged in ("lang:set:xx", "admin:delete_everything", "forget:maybe"):
        answer = await press_data(sandbox, user["id"], menu, forged, forged=True)
        assert answer["answer"]["text"] == (
            "This button is no longer valid. Please open the menu again.")
        assert answer["answer"]["show_alert"] is True
    assert (await hotline.services.people.get(user["id"])).locale == "en"


async def test_privacy_and_forget(hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", last_name="Stone", language_code="en")
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    summary = await say(sandbox, user["id"], "/privacy")
    assert "Name: Emma Stone" in summary["text"] and "Roles: resident" in summary["text"]
    assert "deleted automatically after 365 days" in summary["text"]
    confirm = await say(sandbox, user["id"], "/forget")
    assert labels(confirm) == ["Yes, erase", "Cancel"]
    await press(sandbox, user["id"], confirm, "Yes, erase")
    done = await wait_edit(sandbox, user["id"], confirm["message_id"])
    assert done["text"].startswith("Your personal data has been erased.")
    person = await hotline.services.people.get(user["id"])
    assert person.first_name is None and person.forgotten_at is not None
    history = await hotline.services.conversation_log.history(user["id"])
    # Only what happened after the erasure (the edit that confirmed it) may remain.
    assert all(e.kind != "command" for e in history)


async def test_profile_dialog_survives_a_restart(sandbox_server, sandbox: SandboxClient,
                                                 tmp_path) -> None:
    settings = settings_for(sandbox_server, tmp_path)
    first = await build_hotline(settings, clock=quiet_clock)
    await first.start()
    user = await sandbox.add_user("Wei", language_code="en")
    await first.services.people.grant(user["id"], Role.SOCIAL_WORKER)
    await say(sandbox, user["id"], "/profile")
    ask = await say(sandbox, user["id"], "Wang Wei")
    assert ask["text"] == "2. Your organisation or community service station?"
    await first.stop()

    second = await build_hotline(settings, clock=quiet_clock)
    await second.start()
    try:
        refused = await say(sandbox, user["id"], "x" * 200)
        assert refused["text"] == "That is too long: at most 128 characters."
        await say(sandbox, user["id"], "Taihe Social Work Station")
        saved = await say(sandbox, user["id"], "Wujing",
                          lambda m: m["text"].startswith("Profile saved"))
        assert saved["text"] == "Profile saved: Wang Wei, Taihe Social Work Station, Wujing"
    finally:
        await second.stop()


async def test_profile_is_refused_to_residents(hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    reply = await say(sandbox, user["id"], "/profile")
    assert reply["text"] == "Sorry, you are not allowed to do that."


async def test_a_failing_update_is_apologised_for_and_the_bot_goes_on(
        hotline: Hotline, sandbox: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> None:
    user = await sandbox.add_user("Emma", language_code="en")

    async def broken(_telegram_id: int) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(hotline.services.privacy, "summary", broken)
    apology = await say(sandbox, user["id"], "/privacy")
    assert apology["text"].startswith("Sorry, something went wrong with your request.")
    sent = await sandbox.send_text(user["id"], "/help")
    assert (await wait_reply(sandbox, user["id"], after=sent["message_id"]))["text"]


async def test_outgoing_and_incoming_messages_are_logged(hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Emma", language_code="en")
    sent = await sandbox.send_text(user["id"], "/start")
    reply = await wait_reply(sandbox, user["id"], after=sent["message_id"])
    history = await hotline.services.conversation_log.history(user["id"])
    # [:2]: the newcomer's announcements offer may follow the reply.
    assert [(e.direction, e.kind, e.message_id) for e in history][:2] == [
        ("in", "command", sent["message_id"]), ("out", "text", reply["message_id"])]
    assert history[1].text == reply["text"]


async def test_log_retention_runs_daily_at_half_past_three_local(hotline: Hotline) -> None:
    jobs = {job.key: job for job in housekeeping_jobs(hotline.services, hotline.inbox)}
    assert jobs[RETENTION_JOB_ID].schedule == Schedule("day", time(3, 30))
    log = hotline.services.conversation_log
    log.record(LogEntry(chat_id=5, direction="in", kind="text", telegram_id=5, text="old",
                        created_at=utcnow() - timedelta(days=366)))
    log.record(LogEntry(chat_id=5, direction="in", kind="text", telegram_id=5, text="new"))
    await log.flush()
    assert await enforce_retention(hotline.services) == 1
    assert [e.text for e in await log.history(5)] == ["new"]


async def test_a_role_granted_before_first_contact_gets_its_menu(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Wei", language_code="en")
    await hotline.services.people.grant(user["id"], Role.SOCIAL_WORKER)
    await sandbox.send_text(user["id"], "/start")
    await wait_reply(sandbox, user["id"])
    scope = {"type": "chat", "chat_id": user["id"]}
    for _ in range(50):
        commands = [c["command"] for c in await sandbox.my_commands(scope=scope)]
        if commands:
            break
        await asyncio.sleep(0.05)
    assert "profile" in commands and "start" in commands
