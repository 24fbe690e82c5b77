"""What askers and staff are told when nobody on duty can take a case: one off-hours reply
(no second notice), the next shift after a transfer into an off-duty category, a staff card
that says what really happened, and /stats counting claim times where they were made."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import Role, utcnow
from tests.driver import buttons, press_data, wait_reply
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
from tests.support import bot_idle, running_hotline, staff_forum_group


def _texts(messages: list[dict], after: int) -> list[str]:
    return [m.get("text") or "" for m in messages if m["message_id"] > after]


async def test_off_hours_is_one_reply_and_a_transfer_names_the_next_shift(
        hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    backup = await expert(hotline, sandbox, "Li", "legal")
    await roster(hotline, f"{wang['id']},legal,daily,08:30,17:00")
    roster_service = hotline.services.hotline.roster
    today = utcnow().astimezone(roster_service.zone).date()
    tomorrow = today + timedelta(days=1)
    await roster_service.add_override(today, wang["id"], "off")
    asker = await social_worker(hotline, sandbox, "Emma")
    confirm = await ask(sandbox, asker, "legal", "After hours")
    await submit(sandbox, asker, confirm)
    offer = await offer_to(sandbox, backup["id"], "C-2026-0001")  # the backup has it
    await bot_idle(hotline)
    told = _texts(await sandbox.bot_messages(asker["id"]), confirm["message_id"])
    assert told == [  # (the Send prompt itself became "submitted")
        "Consultation C-2026-0001 is registered. No Legal expert is on duty right now; the "
        f"next shift starts at {tomorrow} 08:30. Meanwhile we are passing your question on "
        "to other experts and the bureau staff, and will tell you when someone takes it."]

    # Li takes it and transfers it to Finance, whose only expert works tomorrow morning.
    await press_data(sandbox, backup["id"], offer, buttons(offer)[0][1])
    taken = await wait_reply(sandbox, asker["id"], "has been taken")
    zhao = await expert(hotline, sandbox, "Zhao", "finance")
    await roster_service.add_override(tomorrow, zhao["id"], "on", ("finance",), "09:00", "12:00")
    card = await wait_reply(sandbox, backup["id"], "yours to answer")
    await press_data(sandbox, backup["id"], card, buttons(card)[1][1])
    choice = await wait_reply(sandbox, backup["id"], "Transfer")
    await press_data(sandbox, backup["id"], choice, dict(buttons(choice))["Finance"])
    await skip_handoff(sandbox, backup["id"], choice["message_id"])
    await offer_to(sandbox, zhao["id"], "C-2026-0001")  # as a backup, meanwhile
    await bot_idle(hotline)
    told = _texts(await sandbox.bot_messages(asker["id"]), taken["message_id"])
    assert told == [
        "Your consultation C-2026-0001 has been transferred to Finance. No Finance expert is "
        f"on duty right now; the next shift starts at {tomorrow} 09:00. Meanwhile we are "
        "passing your question on to other experts and the bureau staff, and will tell you "
        "when someone takes it."]


async def test_staff_card_says_the_offers_could_not_be_delivered(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        # Listed and on duty, but they never started the bot: Telegram refuses the offers.
        silent = [await sandbox.add_user(name, language_code="en") for name in ("Wang", "Li")]
        for user, name in zip(silent, ("王伟", "李娜"), strict=True):
            await hotline.services.hotline.experts.add(user["id"], name, ["legal"])
        await roster(hotline, f"{silent[0]['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Anyone there?"))
        staff_offer = await wait_reply(
            sandbox, group["id"], after=0,
            expect=lambda m: any(d.startswith("hotline:claim:") for _, d in buttons(m)))
        text = staff_offer["text"]
        assert "值班专家和后备专家都未接手" not in text
        assert ("⚠️ 咨询没能发给以下专家：\n"
                "• 王伟：机器人无法给他发消息（还没有在私聊中启动机器人，或已屏蔽机器人）\n"
                "• 李娜：机器人无法给他发消息（还没有在私聊中启动机器人，或已屏蔽机器人）") in text
        told = await wait_reply(sandbox, asker["id"], "bureau staff")
        assert told["text"].startswith("Consultation C-2026-0001 has been passed on to the "
                                       "bureau staff")

        # A category nobody answers: the card says so, and the asker gets one reply.
        confirm = await ask(sandbox, asker, "policy", "Who decides?")
        await submit(sandbox, asker, confirm)
        policy_offer = await wait_reply(
            sandbox, group["id"], after=staff_offer["message_id"],
            expect=lambda m: "C-2026-0002" in (m.get("text") or "") and any(
                d.startswith("hotline:claim:") for _, d in buttons(m)))
        assert ("没有可以接收这个咨询的政策专家：现在没有人值班，也没有可用的后备专家"
                "（未登记、暂停值班或请假）。请工作人员安排。") in policy_offer["text"]
        assert "没能发给" not in policy_offer["text"]
        await bot_idle(hotline)
        told = _texts(await sandbox.bot_messages(asker["id"]), confirm["message_id"])
        assert told == [
            "Consultation C-2026-0002 is registered. There is no duty shift for this category "
            "in the next two weeks, so we are passing your question on to other experts and "
            "the bureau staff, and will tell you when someone takes it."]
    finally:
        await hotline.stop()


async def test_stats_count_claim_time_where_it_was_claimed(hotline,
                                                           sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    li = await expert(hotline, sandbox, "Li", "finance")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},finance,{ALL_DAY}")
    staff = await sandbox.add_user("Zhou", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "Money question"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    repository = hotline.services.hotline.cases.repository
    case = await latest_case(hotline, asker["id"])
    # The case waited 10 minutes before Wang claimed it in Legal.
    await repository.changes.set_fields(case.id, created_at=utcnow() - timedelta(minutes=40),
                                waiting_since=utcnow() - timedelta(minutes=10))
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    card = await wait_reply(sandbox, wang["id"], "yours to answer")
    await press_data(sandbox, wang["id"], card, buttons(card)[1][1])
    choice = await wait_reply(sandbox, wang["id"], "Transfer")
    await press_data(sandbox, wang["id"], choice, dict(buttons(choice))["Finance"])
    await skip_handoff(sandbox, wang["id"], choice["message_id"])
    finance_offer = await offer_to(sandbox, li["id"], "C-2026-0001")

    async def stats() -> str:
        sent = await sandbox.send_text(staff["id"], "/stats")
        return (await wait_reply(sandbox, staff["id"], after=sent["message_id"]))[
            "text"]

    # Waiting again in Finance: not claimed.
    waiting = await stats()
    assert "1 consultations, 0 claimed, 0 closed." in waiting
    assert "Legal: 0; claim 10.0 min" in waiting

    # It waited 5 minutes in Finance before Li claimed it: Finance's claim time is 5, not 40.
    await repository.changes.set_fields(case.id, waiting_since=utcnow() - timedelta(minutes=5))
    await press_data(sandbox, li["id"], finance_offer, buttons(finance_offer)[0][1])
    await wait_reply(sandbox, asker["id"], "Finance expert Li")
    claimed = await stats()
    assert "1 consultations, 1 claimed, 0 closed." in claimed
    assert "Legal: 0; claim 10.0 min" in claimed
    assert "Finance: 1; claim 5.0 min" in claimed
    assert "Average minutes: to claim 7.5," in claimed
