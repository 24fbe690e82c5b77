"""Issue 13, items 11-13: one live review panel per idea and reviewer, the author's card and
supports, duplicates of itself, and notices in the author's language."""

from __future__ import annotations

from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_support import console_base, signed_in_client
from tests.driver import button_data, labels, press_data, say, wait_edit, wait_reply
from tests.ideas_helpers import resident_idea, stored, submit_idea


async def message_now(sandbox: SandboxClient, chat_id: int, message_id: int) -> dict[str, Any]:
    """The message as the chat shows it now (after any edits)."""
    return next(m for m in await sandbox.messages(chat_id) if m["message_id"] == message_id)


async def staff_member(hotline: Hotline, sandbox: SandboxClient, name: str = "Officer",
                       language: str = "en") -> dict[str, Any]:
    staff = await sandbox.add_user(name, language_code=language)
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    return staff


async def test_a_typed_answer_retires_the_first_panel_which_then_changes_nothing(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await staff_member(hotline, sandbox)
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    card = await say(sandbox, staff["id"], f"/review {reference}", reference)
    first = await press_data(sandbox, staff["id"], card,
                             f"ideas:rv:to:{idea.id}:submitted:accepted", "Moving")
    assert "No answer yet." in first["text"]
    second = await say(sandbox, staff["id"], "We will build it.", "Moving")
    assert "We will build it." in second["text"]
    # The first panel lost its buttons the moment the second one came.
    assert button_data(await message_now(sandbox, staff["id"], first["message_id"])) == []
    assert f"ideas:rv:apply:{idea.id}" in button_data(second)
    # A press on it anyway (an old client, a forged press) is refused and applies nothing.
    for action in ("apply", "pubnow", "cancel"):
        answer = await press_data(sandbox, staff["id"], first, f"ideas:rv:{action}:{idea.id}",
                                  forged=True)
        assert answer["answer"]["text"] == (
            f"This panel for {reference} was replaced by a newer one below; nothing was "
            "changed. Please use the latest panel.")
    unchanged = await stored(hotline, reference)
    assert (unchanged.status, unchanged.answer) == ("submitted", None)
    draft = await hotline.services.dialogs.current(staff["id"])
    assert draft.data["answer"] == "We will build it." and draft.data["publish"] is True
    # Pressing "→ status" again makes a third panel and retires the second.
    await press_data(sandbox, staff["id"], card, f"ideas:rv:to:{idea.id}:submitted:under_review")
    third = await wait_reply(sandbox, staff["id"], lambda m: "Moving" in m["text"],
                             after=second["message_id"])
    assert button_data(await message_now(sandbox, staff["id"], second["message_id"])) == []
    # The live panel applies what it shows, and only that.
    await press_data(sandbox, staff["id"], third, f"ideas:rv:apply:{idea.id}", "History")
    applied = await stored(hotline, reference)
    assert (applied.status, applied.answer) == ("under_review", None)
    closed = await press_data(sandbox, staff["id"], second, f"ideas:rv:apply:{idea.id}",
                              forged=True)
    assert closed["answer"]["text"].startswith("This panel is closed")
    assert f"/review {reference}" in closed["answer"]["text"]
    assert (await stored(hotline, reference)).status == "under_review"


async def test_a_card_shown_again_retires_the_earlier_card(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await staff_member(hotline, sandbox)
    other = await staff_member(hotline, sandbox, "Colleague")
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    first = await say(sandbox, staff["id"], f"/review {reference}", reference)
    second = await say(sandbox, staff["id"], f"/review {reference}", reference)
    # The earlier card is edited right after the new one is sent.
    retired = await wait_edit(sandbox, staff["id"], first["message_id"])
    assert button_data(retired) == [] and reference in retired["text"]
    assert f"ideas:rv:to:{idea.id}:submitted:accepted" in button_data(second)
    for data in (f"ideas:rv:to:{idea.id}:submitted:accepted", f"ideas:rv:note:{idea.id}",
                 f"ideas:rv:dup:{idea.id}"):
        answer = await press_data(sandbox, staff["id"], first, data, forged=True)
        assert answer["answer"]["text"].startswith(f"This panel for {reference} was replaced")
    assert await hotline.services.dialogs.current(staff["id"]) is None
    # Another reviewer's card is theirs: it stays live beside mine.
    theirs = await say(sandbox, other["id"], f"/review {reference}", reference)
    panel = await press_data(sandbox, other["id"], theirs,
                             f"ideas:rv:to:{idea.id}:submitted:not_adopted", "Moving")
    await press_data(sandbox, other["id"], panel, f"ideas:rv:apply:{idea.id}", "History")
    # My live card is now out of date: the press says what happened and changes nothing.
    answer = await press_data(sandbox, staff["id"], second,
                              f"ideas:rv:to:{idea.id}:submitted:accepted")
    assert answer["answer"]["text"] == (
        f"{reference} was changed meanwhile and is now “Not adopted”; nothing was changed. "
        f"Send /review {reference} for its current card.")
    assert (await stored(hotline, reference)).status == "not_adopted"


async def test_a_note_retires_an_open_panel(hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await staff_member(hotline, sandbox)
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    card = await say(sandbox, staff["id"], f"/review {reference}", reference)
    panel = await press_data(sandbox, staff["id"], card,
                             f"ideas:rv:to:{idea.id}:submitted:accepted", "Moving")
    await press_data(sandbox, staff["id"], card, f"ideas:rv:note:{idea.id}", "note")
    assert button_data(await message_now(sandbox, staff["id"], panel["message_id"])) == []
    answer = await press_data(sandbox, staff["id"], panel, f"ideas:rv:apply:{idea.id}", forged=True)
    assert answer["answer"]["text"].startswith("This panel is closed")
    assert (await stored(hotline, reference)).status == "submitted"


async def test_the_authors_card_after_an_edit_names_them_as_they_chose(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    reference = await submit_idea(sandbox, author["id"], show_name=True)
    idea = await stored(hotline, reference)
    mine = await say(sandbox, author["id"], "/myideas", "My ideas")
    fields = await press_data(sandbox, author["id"], mine, f"ideas:my:edit:{idea.id}", "Which part")
    await press_data(sandbox, author["id"], fields, f"ideas:my:field:{idea.id}:title", "new title")
    saved = await say(sandbox, author["id"], "Benches and shade", "Benches and shade")
    assert "Submitted by: Lin" in saved["text"] and "anonymous" not in saved["text"]
    anonymous = await submit_idea(sandbox, author["id"], title="Quiet one", show_name=False)
    other = await stored(hotline, anonymous)
    mine = await say(sandbox, author["id"], "/myideas", anonymous)
    fields = await press_data(sandbox, author["id"], mine, f"ideas:my:edit:{other.id}",
                              "Which part")
    await press_data(sandbox, author["id"], fields, f"ideas:my:field:{other.id}:title", "new title")
    saved = await say(sandbox, author["id"], "Quiet corner", "Quiet corner")
    assert "Submitted by: anonymous" in saved["text"] and "Lin" not in saved["text"]


async def test_support_updates_the_card_and_the_author_cannot_support_their_own(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    await say(sandbox, author["id"], "/start", "Lin")
    idea = await resident_idea(hotline, author["id"], "Reading corner", public=True)
    fan = await sandbox.add_user("Fan", language_code="en")
    listing = await say(sandbox, fan["id"], "/ideas", idea.reference)
    card = await press_data(sandbox, fan["id"], listing, f"ideas:pub:show:{idea.id}", "Supports")
    assert "👍 Supports: 0" in card["text"]
    await press_data(sandbox, fan["id"], card, f"ideas:pub:sup:{idea.id}")
    edited = await wait_edit(sandbox, fan["id"], card["message_id"])
    assert "👍 Supports: 1" in edited["text"] and "Supports: 0" not in edited["text"]
    assert labels(edited)[0] == "👍 Support (1)"

    own = await say(sandbox, author["id"], "/ideas", idea.reference)
    own_card = await press_data(sandbox, author["id"], own, f"ideas:pub:show:{idea.id}", "Supports")
    refused = await press_data(sandbox, author["id"], own_card, f"ideas:pub:sup:{idea.id}")
    assert refused["answer"]["text"] == (
        f"{idea.reference} is your own idea: supports come from other people.")
    assert (await stored(hotline, idea.reference)).support_count == 1


async def test_an_idea_cannot_be_marked_a_duplicate_of_itself(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await staff_member(hotline, sandbox)
    first = await resident_idea(hotline, author["id"], "Benches")
    second = await resident_idea(hotline, author["id"], "More benches")
    card = await say(sandbox, staff["id"], f"/review {second.reference}", second.reference)
    await press_data(sandbox, staff["id"], card, f"ideas:rv:dup:{second.id}", "duplicate")
    refused = await say(sandbox, staff["id"], second.reference.lower(), "itself")
    assert refused["text"] == ("An idea cannot be a duplicate of itself. Send the reference "
                               f"of the other idea (not {second.reference}).")
    assert (await stored(hotline, second.reference)).duplicate_of_id is None
    # The question stays open: the right reference is taken at once.
    done = await say(sandbox, staff["id"], first.reference, "duplicate")
    assert first.reference in done["text"]
    assert (await stored(hotline, second.reference)).duplicate_of_id == first.id


async def test_the_reviewer_sees_the_authors_language_and_the_notice_frame_uses_it(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Emma", language_code="en")
    reviewer = await staff_member(hotline, sandbox, "王科长", "zh-hans")
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    card = await say(sandbox, reviewer["id"], f"/review {reference}", reference)
    assert "🌐 作者使用的语言：English（英语）" in card["text"]
    panel = await press_data(sandbox, reviewer["id"], card,
                             f"ideas:rv:to:{idea.id}:submitted:accepted", "作者使用")
    assert "作者使用English（英语）" in panel["text"]
    panel = await say(sandbox, reviewer["id"], "谢谢，我们会尽快落实。", "作者使用")
    await press_data(sandbox, reviewer["id"], panel, f"ideas:rv:apply:{idea.id}", reference)
    notice = await wait_reply(sandbox, author["id"],
                              lambda m: "News about your idea" in (m.get("text") or ""))
    # The frame is English; the staff's own words stay as written.
    assert "New status: Accepted" in notice["text"]
    assert "谢谢，我们会尽快落实。" in notice["text"]
    assert "状态" not in notice["text"]
    # A Chinese-speaking author gets the frame in Chinese from an English reviewer.
    chinese = await sandbox.add_user("李", language_code="zh-hans")
    await say(sandbox, chinese["id"], "/start", "李")
    other = await resident_idea(hotline, chinese["id"], "长椅")
    english = await staff_member(hotline, sandbox, "Officer", "en")
    card = await say(sandbox, english["id"], f"/review {other.reference}", other.reference)
    assert "🌐 The author reads: 简体中文 (Chinese)" in card["text"]


async def test_the_console_idea_page_shows_the_authors_language(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Emma", language_code="en")
    await say(sandbox, author["id"], "/start", "Emma")
    idea = await resident_idea(hotline, author["id"], "Benches")
    reviewer = await staff_member(hotline, sandbox, "王科长", "zh-hans")
    await say(sandbox, reviewer["id"], "/start", "王科长")
    client = await signed_in_client(hotline, sandbox, reviewer["id"])
    async with client, client.get(f"{console_base(hotline)}/ideas/{idea.id}") as response:
        page = await response.text()
    assert "<dt>作者使用的语言</dt><dd>English（英语）" in page
