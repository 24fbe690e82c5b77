"""Release and reopen through the case doors (services/hotline/case_actions.py), from the bot
and from the console, end to end through the sandbox; forged presses and stale forms are
refused without acting; the CLI says a refusal in the bot's words; handoff notes come first."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from services.refusals import Refusal
from storage.models import CaseStatus, Role
from storage.repositories.audit import AuditFilter
from tests.console_ops_support import consultation
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import buttons, person, press, press_data, say, wait_edit, wait_reply
from tests.hotline_support import (
    ALL_DAY,
    ask,
    expert,
    offer_to,
    roster,
    social_worker,
    submit,
)
from tests.support import running_hotline, staff_forum_group


async def page_of(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url, allow_redirects=False) as response:
        return await response.text()


async def post(client: aiohttp.ClientSession, url: str,
               data: dict[str, str]) -> tuple[int, str, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def audited(hotline: Hotline, action: str) -> int:
    return (await hotline.services.audit.search(AuditFilter(action=action), 1, 10))[1]


async def test_an_expert_releases_a_case_in_the_bot_and_a_forged_press_does_nothing(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)  # C-2026-0001, legal, held by Wang
    cases = hotline.services.hotline.cases
    # Li (finance) forges the /release choice's button: refused, nothing changes.
    li_first = {"chat": {"id": talk.li["id"]}, "message_id": 1}
    forged = await press_data(sandbox, talk.li["id"], li_first,
                              f"hotline:release:{talk.case.id}", forged=True)
    assert forged["answer"]["text"].startswith("This button is not yours or no longer applies")
    assert (await cases.get(talk.case.id)).expert_id == talk.wang["id"]

    done = await say(sandbox, talk.wang["id"], "/release", "is released")
    assert done["text"] == ("Consultation C-2026-0001 is released; it is offered to other "
                            "experts.")
    told = await wait_reply(sandbox, talk.asker["id"], "passed to another expert")
    assert "C-2026-0001" in told["text"]
    # Nobody else of legal is on duty: the backup (Zhao) is offered it, as after a timeout.
    await offer_to(sandbox, talk.zhao["id"], "C-2026-0001")
    case = await cases.get(talk.case.id)
    assert (case.status, case.expert_id) == (CaseStatus.OFFERED, None)
    assert await audited(hotline, "cases.release") == 1
    # Wang's late second release is told the case is no longer his.
    answer = await say(sandbox, talk.wang["id"], "/release")
    assert "no open" in answer["text"] or "not" in answer["text"]


async def test_staff_reopen_in_the_bot_and_release_and_reopen_in_the_console(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    number = "C-2026-0001"
    case_url = f"{console_base(hotline)}/cases/{number}"
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as desk:
        page = await page_of(desk, case_url)
        assert 'id="release"' in page and 'id="reopen"' not in page
        # A reopen posted while the case is open (a stale page) is refused, not acted on.
        status, _, body = await post(desk, f"{case_url}/reopen", {"csrf": csrf_of(page)})
        assert status == 400 and "is not closed; there is nothing to reopen" in body
        status, where, _ = await post(desk, f"{case_url}/release", {"csrf": csrf_of(page)})
        assert status == 303 and "console_workspace.done.released" in where
        await wait_reply(sandbox, talk.wang["id"], "Bureau staff have released")
        await wait_reply(sandbox, talk.asker["id"], "passed to another expert")
        status, _, body = await post(desk, f"{case_url}/release", {"csrf": csrf_of(page)})
        assert status == 400 and "is not held by anyone" in body

    offer = await offer_to(sandbox, talk.zhao["id"], number)
    await press_data(sandbox, talk.zhao["id"], offer, f"hotline:claim:{talk.case.id}")
    await wait_reply(sandbox, talk.asker["id"], "Zhao")
    actions = hotline.services.hotline.actions
    cases = hotline.services.hotline.cases
    assert await cases.close(await cases.get(talk.case.id), "expert")

    # A number typed wrong is refused in words, "<" and "&" shown as typed (the reply is
    # Telegram HTML: unescaped, Telegram would refuse the message and staff hear nothing).
    refused = await say(sandbox, staff["id"], "/reopen C-<1>&2")
    assert refused["text"] == "There is no case C-<1>&2."
    # Staff reopen it from the bot: /reopen N; the expert and the asker are told.
    reply = await say(sandbox, staff["id"], f"/reopen {number}")
    assert reply["text"] == f"Consultation {number} is open again."
    await wait_reply(sandbox, talk.zhao["id"], "Bureau staff have reopened")
    await wait_reply(sandbox, talk.asker["id"], "Bureau staff have reopened")
    assert (await cases.get(talk.case.id)).status == CaseStatus.OPEN
    # The same refusal, from the bot, when it is open already.
    refused = await say(sandbox, staff["id"], f"/reopen {number}")
    assert refused["text"] == (f"Consultation {number} is not closed; there is nothing to "
                               "reopen.")

    # Closed again; the console's Reopen shows only now, and works.
    assert await cases.close(await cases.get(talk.case.id), "expert")
    async with await signed_in_client(hotline, sandbox, staff["id"]) as desk:
        page = await page_of(desk, case_url)
        assert 'id="reopen"' in page and 'id="release"' not in page
        status, where, _ = await post(desk, f"{case_url}/reopen", {"csrf": csrf_of(page)})
        assert status == 303 and "console_workspace.done.reopened" in where
        page = await page_of(desk, case_url)
        assert "Reopened by staff" in page
    assert await audited(hotline, "cases.reopen") == 2
    assert (await actions.find(number)).expert_id == talk.zhao["id"]


async def test_a_transfer_keeps_the_handoff_note_that_the_next_expert_reads_first(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    case_url = f"{console_base(hotline)}/cases/C-2026-0001"
    async with await signed_in_client(hotline, sandbox, talk.wang["id"]) as browser:
        page = await page_of(browser, case_url)
        status, _, body = await post(browser, f"{case_url}/hand-on", {
            "csrf": csrf_of(page), "category": "finance", "summary": "x" * 201})
        assert status == 400 and "at most 200 characters" in body
        status, _, _ = await post(browser, f"{case_url}/hand-on", {
            "csrf": csrf_of(page), "category": "finance",
            "summary": "Lease signed;\nonly the deposit question is open"})
        assert status == 303
    offer = await offer_to(sandbox, talk.li["id"], "C-2026-0001")
    assert offer["text"].startswith("📝 Handoff note: Lease signed; only the deposit question "
                                    "is open")
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as desk:
        page = await page_of(desk, case_url)
        assert 'id="handoff"' in page and "only the deposit question is open" in page
    handoffs = await hotline.services.hotline.cases.handoffs_of(talk.case.id)
    assert [(h.author_id, h.action) for h in handoffs] == [(talk.wang["id"], "transfer")]


def test_the_cli_refuses_in_the_bots_words(tmp_path) -> None:
    from tests.test_cli import errors
    from tests.test_cli import hotline as run_cli

    added = run_cli(tmp_path, "experts", "add", "555", "--name", "Wang", "--categories",
                    "legal")
    assert added.returncode == 0, added.stderr
    from services.texts import Texts

    texts = Texts(("zh_CN", "en"), "zh_CN")
    refusal = Refusal("hotline.block.is_expert", {"telegram_id": 555})
    result = run_cli(tmp_path, "cases", "block", "555")
    assert result.returncode == 2
    assert errors(result).strip() == f"hotline: {texts.refusal('zh_CN', refusal)}"


async def test_an_expert_writes_the_handoff_note_in_telegram(hotline: Hotline,
                                                            sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    wang = talk.wang["id"]
    card = next(m for m in await sandbox.bot_messages(wang)
                if "yours to answer" in (m.get("text") or ""))
    await press_data(sandbox, wang, card, buttons(card)[1][1])
    choice = await wait_reply(sandbox, wang, "Transfer")
    await press(sandbox, wang, choice, "Finance")
    prompt = await wait_edit(sandbox, wang, choice["message_id"])
    assert prompt["text"].startswith("Before consultation C-2026-0001 is handed on")
    assert [label for label, _ in buttons(prompt)] == ["Nothing to add", "Urgent, no time"]
    # The case has not moved yet: it waits for the note.
    assert (await hotline.services.hotline.cases.get(talk.case.id)).category == "legal"
    too_long = await say(sandbox, wang, "x" * 201)
    assert too_long["text"] == "Keep it to one line: at most 200 characters."
    done = await say(sandbox, wang, "The deposit is the open question")
    assert done["text"] == "Consultation C-2026-0001 has been transferred. Thank you!"
    offer = await offer_to(sandbox, talk.li["id"], "C-2026-0001")
    assert offer["text"].startswith("📝 Handoff note: The deposit is the open question")
    # The asker never saw the note.
    assert not any("deposit" in (m.get("text") or "")
                   for m in await sandbox.bot_messages(talk.asker["id"]))
    # A skip button pressed afterwards (the prompt is spent) does nothing.
    late = await press_data(sandbox, wang, choice, f"hotline:handoff:{talk.case.id}:urgent",
                            forged=True)
    assert late["answer"]["text"].startswith("This button is not yours or no longer applies")


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`hotline ...` in its own process, without blocking the bot and the sandbox here."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=str(Path.cwd()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [line for line in err.decode().splitlines()
             if not line.startswith("hotline: database ")]
    return process.returncode or 0, out.decode(), "\n".join(lines)


async def test_the_cli_acts_through_the_doors_in_the_bots_words(
        hotline: Hotline, sandbox: SandboxClient, sandbox_server: SandboxServer,
        tmp_path: Path) -> None:
    talk = await consultation(hotline, sandbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(HOTLINE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
               HOTLINE_BOT_TOKEN=sandbox_server.token,
               HOTLINE_API_BASE_URL=sandbox_server.bot_api_base,
               HOTLINE_API_FILE_BASE_URL=sandbox_server.file_api_base)
    staff = await person(sandbox, hotline, "Chen", role=Role.STAFF)
    in_the_bot = await say(sandbox, staff["id"], "/reopen C-2026-0001")
    code, _, said = await run_cli(env, "cases", "reopen", "C-2026-0001", "--locale", "en")
    assert (code, said) == (2, f"hotline: {in_the_bot['text']}")

    code, _, said = await run_cli(env, "cases", "transfer", "C-2026-0001", "--category",
                                  "finance", "--locale", "en")
    assert (code, said) == (2, "hotline: Write one line for the next expert, or choose why "
                               "you skip it.")
    code, out, said = await run_cli(env, "cases", "transfer", "C-2026-0001", "--category",
                                    "finance", "--skip-reason", "urgent")
    assert code == 0, said
    assert out.startswith("C-2026-0001: offered")
    offer = await offer_to(sandbox, talk.li["id"], "C-2026-0001")
    assert offer["text"].startswith("📝 Handed on without a note (Urgent, no time).")
    await wait_reply(sandbox, talk.wang["id"], "Bureau staff")
    entries, total = await hotline.services.audit.search(AuditFilter(action="cases.transfer"),
                                                         1, 10)
    assert total == 1 and entries[0].channel == "cli"


async def test_an_expert_hands_a_case_to_staff_with_a_note(hotline: Hotline,
                                                          sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    # No staff group here: the admins stand in for it and get the staff's card.
    admin = await person(sandbox, hotline, "Zhou", role=Role.ADMIN)
    wang = talk.wang["id"]
    prompt = await say(sandbox, wang, "/tostaff")
    assert prompt["text"].startswith("Before consultation C-2026-0001 is handed on")
    done = await say(sandbox, wang, "Needs a decision on the fee waiver")
    assert done["text"] == "Consultation C-2026-0001 has been handed to bureau staff. Thank you!"
    card = await offer_to(sandbox, admin["id"], "C-2026-0001")
    assert card["text"].startswith("📝 Handoff note: Needs a decision on the fee waiver")
    await wait_reply(sandbox, talk.asker["id"], "passed on to the bureau staff")
    case = await hotline.services.hotline.cases.get(talk.case.id)
    assert (case.status, case.expert_id, case.escalation_level) == (CaseStatus.OFFERED,
                                                                    None, 2)
    assert await audited(hotline, "cases.escalate") == 1
    # The console shows it first, and the timeline says who handed it on.
    async with await signed_in_client(hotline, sandbox, admin["id"]) as desk:
        page = await page_of(desk, f"{console_base(hotline)}/cases/C-2026-0001")
    assert page.index('id="handoff"') < page.index("How do we sign a lease?")
    assert "Handed to staff by 王伟" in page


async def test_the_console_hand_to_staff_records_a_skip_reason(hotline: Hotline,
                                                               sandbox: SandboxClient) -> None:
    talk = await consultation(hotline, sandbox)
    case_url = f"{console_base(hotline)}/cases/C-2026-0001"
    async with await signed_in_client(hotline, sandbox, talk.li["id"]) as stranger:
        # Li has no part in this case: her forged POST (with her own session's token) is
        # refused, and the case is not even shown to her.
        inbox = await page_of(stranger, f"{console_base(hotline)}/inbox")
        status, _, _ = await post(stranger, f"{case_url}/escalate", {"csrf": csrf_of(inbox)})
        assert status == 404
        assert (await hotline.services.hotline.cases.get(talk.case.id)).expert_id == \
            talk.wang["id"]
    async with await signed_in_client(hotline, sandbox, talk.wang["id"]) as browser:
        page = await page_of(browser, case_url)
        assert 'id="escalate"' in page
        status, where, _ = await post(browser, f"{case_url}/escalate", {
            "csrf": csrf_of(page), "skip_other": "asker asked for a staff member"})
        assert status == 303 and "console_workspace.done.escalated" in where
        status, _, body = await post(browser, f"{case_url}/escalate", {"csrf": csrf_of(page)})
        assert status == 400 and "C-2026-0001 is no longer with you" in body
    [handoff] = await hotline.services.hotline.cases.handoffs_of(talk.case.id)
    assert (handoff.action, handoff.summary, handoff.skip_reason) == (
        "escalate", None, "asker asked for a staff member")


async def test_staff_reopen_a_case_from_its_topic(sandbox_server: SandboxServer,
                                                  sandbox: SandboxClient,
                                                  tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        wang = await expert(hotline, sandbox, "Wang", "legal")
        await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
        asker = await social_worker(hotline, sandbox, "Emma")
        await submit(sandbox, asker, await ask(sandbox, asker, "legal", "A lease question"))
        offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
        await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
        await wait_reply(sandbox, asker["id"], "has been taken")
        cases = hotline.services.hotline.cases
        case = await cases.by_number("C-2026-0001")
        assert case is not None and case.staff_thread_id is not None
        assert await cases.close(case, "expert")

        # A press in another chat than the staff group is no staff reopen: /reopen there
        # is the asker's own command, and Wang has nothing of his own to reopen.
        mine = await say(sandbox, wang["id"], "/reopen C-2026-0001")
        assert "Sorry, you are not allowed" in mine["text"]

        done = await say(sandbox, staffer["id"], "/reopen", "is open again", chat_id=group["id"],
                         thread_id=case.staff_thread_id)
        assert done["text"] == "Consultation C-2026-0001 is open again."
        await wait_reply(sandbox, wang["id"], "Bureau staff have reopened")
        assert (await cases.get(case.id)).status == CaseStatus.OPEN
    finally:
        await hotline.stop()
