"""Relay delivery under trouble: caption edits (and copies that cannot be edited), failures
told to the sender, a 429 retried without a duplicate, and empty, unsupported or long input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Hotline
from sandbox.client import SandboxClient, SandboxError
from sandbox.server import SandboxServer
from storage.models import Role
from tests.driver import buttons, has, press_data, say, wait_edit, wait_reply
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
from tests.support import bot_idle, running_hotline, staff_forum_group

EDITED = "✏️ The other side edited the message above; the new version follows."
EDITED_ZH = "✏️ 对方修改了上面这条消息，修改后的内容如下："
# A copy that cannot be edited: Telegram asks for a pause far longer than the bot waits out.
UNEDITABLE = {"rate": 1.0, "kinds": ["429"], "retry_after": 60}


async def _open_case(hotline: Hotline, sandbox: SandboxClient,
                     category: str = "finance") -> tuple[dict, dict]:
    """An asker and an expert in a claimed case."""
    wang = await expert(hotline, sandbox, "Wang", category)
    await roster(hotline, f"{wang['id']},{category},{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    await submit(sandbox, asker, await ask(sandbox, asker, category, "Is this fine?"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, asker["id"], "has been taken")
    await wait_reply(sandbox, wang["id"], "Is this fine?")
    return asker, wang


async def _after_the_last_update(sandbox: SandboxClient, asker_id: int, expert_id: int) -> None:
    """The bot handles one chat's updates in order: once this message is relayed, whatever
    the asker did before has been handled to the end (the transcript written too)."""
    await sandbox.send_text(asker_id, "Thank you")
    await wait_reply(sandbox, expert_id, "Thank you")


async def test_caption_edits_reach_the_copy_and_the_staff_mirror(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    staffer, group = await staff_forum_group(sandbox, "Hotline staff")
    hotline = await running_hotline(sandbox_server, tmp_path, staff_chat_id=group["id"])
    try:
        await hotline.services.people.grant(staffer["id"], Role.STAFF)
        asker, wang = await _open_case(hotline, sandbox)
        case = await latest_case(hotline, asker["id"])
        photo = await sandbox.send_photo(asker["id"], PNG, caption="invoice v1")
        copy = await wait_reply(sandbox, wang["id"], "invoice v1")
        mirror = await wait_reply(sandbox, group["id"], "invoice v1", after=0)
        assert mirror["message_thread_id"] == case.staff_thread_id and mirror["photo"]

        await sandbox.edit_caption(asker["id"], asker["id"], photo["message_id"], "invoice v2")
        edited = await wait_edit(sandbox, wang["id"], copy["message_id"])
        assert edited["caption"] == "invoice v2" and edited["photo"]
        edited_mirror = await wait_edit(sandbox, group["id"], mirror["message_id"])
        assert edited_mirror["caption"] == "invoice v2"
        assert len(await sandbox.calls("editMessageCaption")) == 2

        # Now the copies cannot be edited: a notice, then the new version under the old one.
        await sandbox.configure(faults={**UNEDITABLE, "methods": ["editMessageCaption"]})
        await sandbox.edit_caption(asker["id"], asker["id"], photo["message_id"], "invoice v3")
        # (A group reads the default language.)
        for chat_id, old, said in ((wang["id"], copy, EDITED),
                                   (group["id"], mirror, EDITED_ZH)):
            notice = await wait_reply(sandbox, chat_id, "✏️", after=old["message_id"])
            assert notice["text"] == said
            assert notice["reply_to_message"]["message_id"] == old["message_id"]
            new = await wait_reply(sandbox, chat_id, after=notice["message_id"])
            assert new["caption"] == "invoice v3" and new["photo"]
            assert new["reply_to_message"]["message_id"] == old["message_id"]
        assert new["message_thread_id"] == case.staff_thread_id
        await sandbox.configure(faults=None)
        await _after_the_last_update(sandbox, asker["id"], wang["id"])

        await bot_idle(hotline)
        stored = await hotline.services.hotline.cases.repository.transcript.messages(case.id)
        assert [(m.kind, m.version, m.text) for m in stored if m.kind == "photo"] == [
            ("photo", 0, "invoice v1"), ("photo", 1, "invoice v2"), ("photo", 2, "invoice v3")]
    finally:
        await hotline.stop()


async def test_failures_are_told_and_a_429_is_retried_once(hotline: Hotline,
                                                         sandbox: SandboxClient) -> None:
    asker, wang = await _open_case(hotline, sandbox, "legal")
    uid = asker["id"]
    # One 429 on the copy: waited out, retried, delivered once, and the asker told nothing.
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["429"], "methods": ["copyMessage"],
                                    "retry_after": 1, "count": 1})
    await sandbox.send_text(uid, "Are you there?")
    await wait_reply(sandbox, wang["id"], "Are you there?")
    await sandbox.send_text(uid, "Next one")  # handled after the first one has finished
    await wait_reply(sandbox, wang["id"], "Next one")
    assert [m["text"] for m in await sandbox.bot_messages(wang["id"])
            if m.get("text") == "Are you there?"] == ["Are you there?"]
    copies = [c["error_code"] for c in await sandbox.calls("copyMessage")]
    assert copies[-3:] == [429, None, None]
    assert not [m for m in await sandbox.bot_messages(uid) if "delivered" in m.get("text", "")]

    # Telegram keeps failing (5xx, dropped connections): retried, then the sender is told.
    await sandbox.configure(faults={"rate": 1.0, "kinds": ["5xx", "drop"],
                                    "methods": ["copyMessage"]}, seed=3)
    told = await say(sandbox, uid, "Lost in transit")
    assert told["text"] == ("Sorry, this message could not be delivered (consultation "
                            "C-2026-0001). Please send it again later.")
    await sandbox.configure(faults=None)
    assert not [m for m in await sandbox.bot_messages(wang["id"])
                if m.get("text") == "Lost in transit"]

    # The expert blocked the bot: the asker is told so.
    await sandbox.block_bot(wang["id"])
    told = await say(sandbox, uid, "Hello?")
    assert told["text"] == ("This message could not be delivered (consultation C-2026-0001): "
                            "the other side has stopped or blocked the bot.")
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(
        (await latest_case(hotline, uid)).id)
    assert [(m.text, m.delivery) for m in stored[-4:]] == [
        ("Are you there?", "delivered"), ("Next one", "delivered"),
        ("Lost in transit", "failed"), ("Hello?", "failed")]


async def test_empty_unsupported_and_long_messages_get_clear_replies(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    uid = asker["id"]
    unsupported = ("Sorry, the hotline can pass on text, photos, documents, voice, audio and "
                   "video messages only.")
    # While the question is being written.
    confirm = await ask(sandbox, asker, "legal", "A question")
    sent = await sandbox.send_text(uid, "   ")
    assert (await wait_reply(sandbox, uid, after=sent["message_id"]))["text"] == (
        "Please write your question.")
    sent = await sandbox.send_location(uid, 31.23, 121.47)
    assert (await wait_reply(sandbox, uid, after=sent["message_id"]))["text"] == (
        unsupported)
    await submit(sandbox, asker, confirm)
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, uid, "has been taken")
    await wait_reply(sandbox, wang["id"], "A question")

    # In the open case.
    sent = await sandbox.send_location(uid, 31.23, 121.47)
    assert (await wait_reply(sandbox, uid, after=sent["message_id"]))["text"] == (
        unsupported)
    sent = await sandbox.send_text(uid, " \n ")
    assert (await wait_reply(sandbox, uid, after=sent["message_id"]))["text"] == (
        "This message is empty, so it was not passed on. Please write something and send it "
        "again.")

    # Telegram itself refuses a text over 4,096 characters (clients split it); 4,096 passes
    # in full, and so does an edit of it even when the copy cannot be edited.
    with pytest.raises(SandboxError, match="4096"):
        await sandbox.send_text(uid, "x" * 4097)
    longest = await sandbox.send_text(uid, "a" * 4096)
    copy = await wait_reply(sandbox, wang["id"], has("a" * 4096))
    assert copy["text"] == "a" * 4096
    await sandbox.configure(faults={**UNEDITABLE, "methods": ["editMessageText"]})
    await sandbox.edit_text(uid, uid, longest["message_id"], "b" * 4096)
    notice = await wait_reply(sandbox, wang["id"], after=copy["message_id"])
    assert notice["text"] == EDITED
    new = await wait_reply(sandbox, wang["id"], after=notice["message_id"])
    assert new["text"] == "b" * 4096
    await sandbox.configure(faults=None)
    await _after_the_last_update(sandbox, uid, wang["id"])
    await bot_idle(hotline)
    stored = await hotline.services.hotline.cases.repository.transcript.messages(
        (await latest_case(hotline, uid)).id)
    assert [(m.version, len(m.text)) for m in stored[-3:-1]] == [(0, 4096), (1, 4096)]
    assert stored[-2].target_message_id == new["message_id"]
    assert not [m for m in await sandbox.bot_messages(wang["id"])
                if m.get("location") or (m.get("text") or "").isspace()]
