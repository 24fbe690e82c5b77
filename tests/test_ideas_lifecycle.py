"""Ideas end to end: submitting, the review lifecycle, what the author is told, and refusals."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app import Hotline, build_hotline
from sandbox.client import SandboxClient
from storage.models import Idea, IdeaEvent, Role, utcnow
from tests.driver import button_data, labels, press_data, say, wait_edit, wait_reply
from tests.ideas_helpers import staff_actor, stored, submit_idea
from tests.support import running_hotline, settings_for

NEWS = "📣 News about your idea"


async def notices(sandbox: SandboxClient, user_id: int) -> list[str]:
    return [m["text"] for m in await sandbox.bot_messages(user_id)
            if m.get("text", "").startswith(NEWS)]


async def review_card(sandbox: SandboxClient, staff_id: int, reference: str) -> dict:
    return await say(sandbox, staff_id, f"/review {reference}", reference)


async def move(sandbox: SandboxClient, staff_id: int, card: dict, target: str, *,
               answer: str | None = None, publish: bool = True) -> dict:
    """Presses "→ target" on the card, optionally types an answer and turns publishing off,
    applies, and returns the new card."""
    data = next(d for d in button_data(card) if d.startswith("ideas:rv:to:")
                and d.endswith(f":{target}"))
    prompt = await press_data(sandbox, staff_id, card, data, "Moving")
    if answer is not None:
        prompt = await say(sandbox, staff_id, answer, "Moving")
        assert answer in prompt["text"]
    if not publish:
        toggle = next(d for d in button_data(prompt) if d.startswith("ideas:rv:pubnow:"))
        await press_data(sandbox, staff_id, prompt, toggle)
        edited = await wait_edit(sandbox, staff_id, prompt["message_id"])
        assert "not be published yet" in edited["text"]
    apply = next(d for d in button_data(prompt) if d.startswith("ideas:rv:apply:"))
    return await press_data(sandbox, staff_id, prompt, apply, "History")


async def test_from_idea_to_implemented_the_author_hears_of_each_published_change(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await sandbox.add_user("Officer", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    reference = await submit_idea(sandbox, author["id"], title="Shade <b>trees</b> & seats")
    idea = await stored(hotline, reference)
    assert idea.title == "Shade <b>trees</b> & seats" and idea.contact == "13800000000"
    assert (idea.street, idea.community, idea.status) == ("太和街道", "太和社区", "submitted")

    card = await say(sandbox, staff["id"], "/review", reference)
    assert "Shade <b>trees</b> & seats" in card["text"]  # literal, not markup
    assert "Contact: 13800000000" in card["text"]
    assert not [e for e in card.get("entities", []) if e["type"] == "bold"
                and card["text"][e["offset"]:e["offset"] + e["length"]] == "trees"]

    card = await move(sandbox, staff["id"], card, "under_review")
    assert len(await notices(sandbox, author["id"])) == 1
    # An answer kept unpublished: nothing reaches the author yet.
    card = await move(sandbox, staff["id"], card, "accepted", answer="We will <i>fund</i> it.",
                      publish=False)
    assert "Not yet published: the author and the public still see “Under review”" in card["text"]
    assert len(await notices(sandbox, author["id"])) == 1
    stored_idea = await stored(hotline, reference)
    assert stored_idea.status == "accepted" and stored_idea.published_status == "under_review"
    # A private note: never shown to the author, never a notice.
    note = await press_data(sandbox, staff["id"], card, f"ideas:rv:note:{idea.id}", idea.reference)
    await say(sandbox, staff["id"], "Call the street office first", "Note saved")
    assert note is not None
    publish = f"ideas:rv:publish:{idea.id}"
    assert publish in button_data(card)
    card = await press_data(sandbox, staff["id"], card, publish, "History")
    assert len(await notices(sandbox, author["id"])) == 2
    # Publishing again has nothing new: refused, no notice.
    answer = await press_data(sandbox, staff["id"], card, publish, forged=True)
    assert answer["answer"]["text"] == "There is no change waiting to be published."
    card = await move(sandbox, staff["id"], card, "in_progress")
    card = await move(sandbox, staff["id"], card, "implemented", answer="Done in May.")

    sent = await notices(sandbox, author["id"])
    assert [line.split("New status: ")[1].split("\n")[0] for line in sent] == [
        "Under review", "Accepted", "In progress", "Implemented"]
    assert "We will <i>fund</i> it." in sent[1] and "Done in May." in sent[3]
    assert all("Call the street office" not in m.get("text", "")
               for m in await sandbox.bot_messages(author["id"]))
    final = await stored(hotline, reference)
    assert (final.status, final.published_status) == ("implemented", "implemented")
    kinds = [e.kind for e in await hotline.services.ideas.history(final.id)]
    assert kinds.count("status") == 5 and kinds.count("published") == 4 and "note" in kinds

    mine = await say(sandbox, author["id"], "/myideas", "My ideas")
    assert reference in mine["text"] and "Status: Implemented" in mine["text"]
    assert "Answer: Done in May." in mine["text"]


async def test_a_restart_mid_submission_resumes_the_draft(sandbox_server, sandbox: SandboxClient,
                                                          tmp_path) -> None:
    settings = settings_for(sandbox_server, tmp_path)
    first = await build_hotline(settings)
    await first.start()
    user = await sandbox.add_user("Wei", language_code="en")
    try:
        await say(sandbox, user["id"], "/idea", "1. Give your idea a short title")
        await say(sandbox, user["id"], "Night lights", "2. What problem")
    finally:
        await first.stop()
    second = await build_hotline(settings)
    await second.start()
    try:
        await say(sandbox, user["id"], "The lane is dark.", "3. What solution")
        resumed = await say(sandbox, user["id"], "/idea", "unfinished idea")
        assert "continue where you left off" in resumed["text"]
        streets = await wait_reply(sandbox, user["id"], lambda m: "3. What solution" in m["text"],
                                   after=resumed["message_id"])
        assert streets is not None
        await say(sandbox, user["id"], "Solar lamps.", "4. Which street")
        draft = await second.services.dialogs.current(user["id"])
        assert draft.flow == "idea" and draft.data["title"] == "Night lights"
        assert draft.data["problem"] == "The lane is dark."
    finally:
        await second.stop()


async def test_the_daily_limit_and_bounded_fields(sandbox_server, sandbox: SandboxClient,
                                                  tmp_path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, ideas_daily_limit=2)
    try:
        user = await sandbox.add_user("Mei", language_code="en")
        await submit_idea(sandbox, user["id"], title="One")
        await submit_idea(sandbox, user["id"], title="Two")
        refused = await say(sandbox, user["id"], "/idea", "daily limit")
        assert refused["text"] == ("You have submitted 2 ideas today, the daily limit. "
                                   "Please come back tomorrow.")
        assert await hotline.services.dialogs.current(user["id"]) is None
        other = await sandbox.add_user("Jun", language_code="en")
        # The deep link t.me/<bot>?start=idea arrives as "/start idea".
        await say(sandbox, other["id"], "/start idea", "1. Give your idea")
        too_long = await say(sandbox, other["id"], "x" * 61, "too long")
        assert too_long["text"] == "That is too long: at most 60 characters."
        await say(sandbox, other["id"], "Fine title", "2. What problem")
    finally:
        await hotline.stop()


async def test_a_photo_too_large_or_a_file_is_refused(sandbox_server, sandbox: SandboxClient,
                                                      tmp_path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path, ideas_photo_max_bytes=1000)
    try:
        user = await sandbox.add_user("Qi", language_code="en")
        await say(sandbox, user["id"], "/idea", "1.")
        await say(sandbox, user["id"], "Title", "2.")
        await say(sandbox, user["id"], "Problem", "3.")
        streets = await say(sandbox, user["id"], "Solution", "4.")
        communities = await press_data(sandbox, user["id"], streets, "ideas:new:street:1", "5.")
        assert labels(communities) == ["Wujing Community", "Jinxing Community"]
        await press_data(sandbox, user["id"], communities, "ideas:new:comm:1", "6.")
        sent = await sandbox.send_document(user["id"], b"%PDF-1.4", "plan.pdf",
                                           mime_type="application/pdf")
        refused = await wait_reply(sandbox, user["id"], lambda m: "picture" in m["text"],
                                   after=sent["message_id"])
        assert refused["text"].startswith("A picture is needed here")
        big = PNG_HEADER + b"\0" * 2000
        sent = await sandbox.send_photo(user["id"], big)
        refused = await wait_reply(sandbox, user["id"], lambda m: "too large" in m["text"],
                                   after=sent["message_id"])
        assert refused["text"] == ("That photo is too large: at most 0.001 MB. "
                                   "Please send a smaller one.")
        sent = await sandbox.send_photo(user["id"], PNG_HEADER)
        await wait_reply(sandbox, user["id"], lambda m: "7." in m["text"], after=sent["message_id"])
        draft = await hotline.services.dialogs.current(user["id"])
        assert draft.step == "contact" and draft.data["photo"]
        assert draft.data["community"] == "金星社区"
    finally:
        await hotline.stop()


# A 1x1 PNG's signature and header chunk: enough for the sandbox to take it as a photo.
PNG_HEADER = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
              b"\x08\x02\x00\x00\x00\x90wS\xde")


async def test_forged_or_stale_review_buttons_are_refused_and_logged(
        hotline: Hotline, sandbox: SandboxClient, caplog: pytest.LogCaptureFixture) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    reference = await submit_idea(sandbox, author["id"])
    idea = await stored(hotline, reference)
    mine = await say(sandbox, author["id"], "/myideas", reference)
    caplog.set_level(logging.WARNING)
    # A resident forging a staff button: refused by role, nothing changes.
    for forged in (f"ideas:rv:to:{idea.id}:submitted:accepted", f"ideas:rv:publish:{idea.id}",
                   f"ideas:rv:apply:{idea.id}"):
        answer = await press_data(sandbox, author["id"], mine, forged, forged=True)
        assert answer["answer"]["text"] == "Sorry, you are not allowed to do that."
    assert "refused review_button" in caplog.text
    # Staff pressing a button from an out-of-date card: refused as stale.
    staff = await sandbox.add_user("Officer", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.ADMIN)
    card = await say(sandbox, staff["id"], f"/review {reference}", reference)
    answer = await press_data(sandbox, staff["id"], card,
                              f"ideas:rv:to:{idea.id}:accepted:implemented",
                              forged=True)
    assert answer["answer"]["text"].startswith(f"{reference} was changed meanwhile")
    # Another resident trying to withdraw or edit someone else's idea.
    other = await sandbox.add_user("Nosy", language_code="en")
    await say(sandbox, other["id"], "/myideas", "not submitted any ideas")
    other_chat = (await sandbox.bot_messages(other["id"]))[-1]
    for forged in (f"ideas:my:wdyes:{idea.id}", f"ideas:my:field:{idea.id}:title"):
        answer = await press_data(sandbox, other["id"], other_chat, forged, forged=True)
        assert answer["answer"]["text"] == "This is not your idea; nothing was changed."
    unchanged = await stored(hotline, reference)
    assert (unchanged.status, unchanged.withdrawn_at) == ("submitted", None)
    assert not [e for e in await hotline.services.ideas.history(idea.id) if e.kind != "status"]


async def test_withdrawn_ideas_cannot_be_moved_and_edits_close(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    staff = await sandbox.add_user("Officer", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    first = await submit_idea(sandbox, author["id"], title="First")
    second = await submit_idea(sandbox, author["id"], title="Second")
    # Edit inside the window.
    mine = await say(sandbox, author["id"], "/myideas", "My ideas")
    one = await stored(hotline, first)
    fields = await press_data(sandbox, author["id"], mine, f"ideas:my:edit:{one.id}", "Which part")
    await press_data(sandbox, author["id"], fields, f"ideas:my:field:{one.id}:title", "new title")
    await say(sandbox, author["id"], "First, better", "change to")
    assert (await stored(hotline, first)).title == "First, better"
    # The window passes: the same buttons are refused, nothing changes.
    async with hotline.services.database.session() as session:
        await session.execute(update(Idea).where(Idea.id == one.id)
                              .values(edit_until=utcnow() - timedelta(minutes=1)))
    answer = await press_data(sandbox, author["id"], fields, f"ideas:my:field:{one.id}:title")
    assert answer["answer"]["text"].startswith(f"Idea {first} can no longer be edited")
    # Withdraw the second; staff can no longer move it.
    two = await stored(hotline, second)
    card = await review_card(sandbox, staff["id"], second)
    confirm = await press_data(sandbox, author["id"], mine, f"ideas:my:wd:{two.id}",
                               "Withdraw idea")
    await press_data(sandbox, author["id"], confirm, f"ideas:my:wdyes:{two.id}")
    done = await wait_edit(sandbox, author["id"], confirm["message_id"])
    assert done["text"] == f"Idea {second} is withdrawn."
    answer = await press_data(sandbox, staff["id"], card,
                              f"ideas:rv:to:{two.id}:submitted:accepted")
    assert answer["answer"]["text"] == (
        f"Idea {second} was withdrawn by its author; it cannot be changed.")
    assert (await stored(hotline, second)).status == "submitted"
    async with hotline.services.database.session() as session:
        events = (await session.execute(
            IdeaEvent.__table__.select().where(IdeaEvent.idea_id == two.id))).all()
    assert [e.kind for e in events] == ["status", "withdrawn"]


async def test_the_review_queue_is_oldest_first_and_filters_by_street_or_status(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await sandbox.add_user("Officer", language_code="en")
    await hotline.services.people.grant(staff["id"], Role.STAFF)
    author = await sandbox.add_user("Lin", language_code="en")
    await hotline.services.people.grant(author["id"], Role.RESIDENT)
    made = []
    for title, street, community in (("Old", "太和街道", "太和社区"),
                                     ("Wujing one", "吴井街道", "吴井社区"),
                                     ("Newer", "太和街道", "东风社区")):
        made.append(await hotline.services.ideas.submit(author["id"], {
            "title": title, "problem": "p", "solution": "s", "street": street,
            "community": community}))
    await hotline.services.ideas.change_status(staff_actor(staff["id"]), made[2].id, "submitted",
                                               "not_adopted", None, True)
    card = await say(sandbox, staff["id"], "/review", "Old")
    assert card["text"].startswith(f"{made[0].reference} · Old")
    card = await press_data(sandbox, staff["id"], card, f"ideas:rv:next:{made[0].id}:-", "Wujing")
    end = await press_data(sandbox, staff["id"], card, f"ideas:rv:next:{made[1].id}:-", "no more")
    assert end["text"] == "There are no more ideas in this queue."  # closed statuses left out
    card = await say(sandbox, staff["id"], "/review Wujing Street", "Wujing one")
    assert "📍 Wujing Street · Wujing Community" in card["text"]
    card = await say(sandbox, staff["id"], "/review not adopted", "Newer")
    assert "Status: Not adopted" in card["text"]
    unknown = await say(sandbox, staff["id"], "/review <b>nowhere</b>", "Unknown filter")
    assert "submitted, under_review, accepted" in unknown["text"]
