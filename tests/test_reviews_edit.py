"""Issue 13, item 22: a review (the end of /idea, the /announce preview) lets a person fix one
part and come back to the review, instead of typing everything again."""

from __future__ import annotations

from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.driver import button_data, labels, person, press, press_data, say, wait_reply
from tests.ideas_helpers import REFERENCE, stored


async def message_now(sandbox: SandboxClient, chat_id: int, message_id: int) -> dict[str, Any]:
    return next(m for m in await sandbox.messages(chat_id) if m["message_id"] == message_id)


async def idea_review(sandbox: SandboxClient, user_id: int) -> dict[str, Any]:
    """Answers every /idea question (a typo in the title) and returns the review."""
    await say(sandbox, user_id, "/idea", "1. Give your idea a short title")
    await say(sandbox, user_id, "Bneches", "2. What problem")
    await say(sandbox, user_id, "No benches at the bus stop.", "3. What solution")
    streets = await say(sandbox, user_id, "Put up two benches.", "4. Which street")
    communities = await press_data(sandbox, user_id, streets, "ideas:new:street:0", "5. Which")
    photo = await press_data(sandbox, user_id, communities, "ideas:new:comm:0", "6. Send one photo")
    await press_data(sandbox, user_id, photo, "ideas:new:nophoto", "7. May staff")
    name = await say(sandbox, user_id, "13800000000", "8. When the idea")
    return await press_data(sandbox, user_id, name, "ideas:new:name:1", "Please check your idea")


async def test_an_idea_review_fixes_one_part_and_comes_back(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Lin", language_code="en")
    review = await idea_review(sandbox, user["id"])
    assert "Bneches" in review["text"]
    assert labels(review) == ["✅ Submit", "✏️ Edit", "↺ Start over", "✖ Cancel"]
    parts = await press_data(sandbox, user["id"], review, "ideas:new:edit", "Which part")
    assert labels(parts) == [
        "Title", "Problem", "Solution", "Street and community", "Photo", "Contact",
        "Name shown or not", "↩ Back to the review"]
    # The review being changed can no longer be submitted.
    assert button_data(await message_now(sandbox, user["id"], review["message_id"])) == []
    asked = await press_data(sandbox, user["id"], parts, "ideas:new:fix:title", "short title")
    assert asked["text"].startswith("Give your idea a short title")  # no step number now
    again = await say(sandbox, user["id"], "Benches", "Please check your idea")
    assert "Benches" in again["text"] and "Bneches" not in again["text"]
    # Everything else is as answered before.
    assert "No benches at the bus stop." in again["text"] and "13800000000" in again["text"]
    assert "Taihe Street · Taihe Community" in again["text"]
    assert "Submitted by: Lin" in again["text"]

    # The place is asked as street, then community, then the review.
    parts = await press_data(sandbox, user["id"], again, "ideas:new:edit", "Which part")
    streets = await press_data(sandbox, user["id"], parts, "ideas:new:fix:place", "Which street")
    communities = await press_data(sandbox, user["id"], streets, "ideas:new:street:1", "Which")
    third = await press_data(sandbox, user["id"], communities, "ideas:new:comm:1",
                             "Please check your idea")
    assert "Wujing Street · Jinxing Community" in third["text"]
    # An earlier review (forged press) cannot submit what it no longer shows.
    old = await press_data(sandbox, user["id"], again, "ideas:new:submit", forged=True)
    assert old["answer"]["text"] == ("This review is out of date: your idea was changed after "
                                     "it. Please use the latest review below.")
    assert await hotline.services.ideas.mine(user["id"]) == []
    # "Back to the review" changes nothing.
    parts = await press_data(sandbox, user["id"], third, "ideas:new:edit", "Which part")
    fourth = await press_data(sandbox, user["id"], parts, "ideas:new:fix:none",
                              "Please check your idea")
    saved = await press_data(sandbox, user["id"], fourth, "ideas:new:submit", "Your idea is saved")
    found = REFERENCE.search(saved["text"])
    assert found is not None
    idea = await stored(hotline, found.group(0))
    assert (idea.title, idea.street, idea.community) == ("Benches", "吴井街道", "金星社区")
    assert idea.contact == "13800000000" and idea.show_name is True


async def test_the_announce_preview_fixes_one_field_and_comes_back(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    resident = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(resident["id"], ["policy"])
    uid = staff["id"]
    topics = await say(sandbox, uid, "/announce", expect="Choose the topic")
    await press(sandbox, uid, topics, "Policy news", expect="title")
    await say(sandbox, uid, "Nwe rules", expect="Send the text")
    attach = await say(sandbox, uid, "The rules change in May.", expect="Send a photo")
    link = await press(sandbox, uid, attach, "Skip", expect="Send a link")
    audience = await say(sandbox, uid, "https://example.org/rules", expect="Audience")
    when = await press(sandbox, uid, audience, "Next", expect="When?")
    confirm = await press(sandbox, uid, when, "Send now", expect="Send it?")
    assert labels(confirm) == ["✅ Send", "✏️ Edit a part", "Discard the draft"]
    assert link is not None
    fields = await press(sandbox, uid, confirm, "✏️ Edit a part", expect="Which part")
    assert labels(fields) == ["Title", "Text", "Photo or file", "Link button", "Recipients",
                              "Sending time", "↩ Back to the preview"]
    assert labels(await message_now(sandbox, uid, confirm["message_id"])) == []
    await press(sandbox, uid, fields, "Title", expect="title")
    again = await say(sandbox, uid, "New rules", expect="Send it?")
    preview = (await sandbox.bot_messages(uid))[-2]
    assert preview["text"].startswith("📢 Policy news\nNew rules")
    assert "The rules change in May." in preview["text"]
    assert labels(preview) == ["Details"]  # the link kept
    # Skipping the link when asked again removes it.
    fields = await press(sandbox, uid, again, "✏️ Edit a part", expect="Which part")
    asked = await press(sandbox, uid, fields, "Link button", expect="Send a link")
    third = await press(sandbox, uid, asked, "Skip", expect="Send it?")
    assert labels((await sandbox.bot_messages(uid))[-2]) == []
    # The earlier confirmation cannot send the draft it no longer shows.
    old = await press_data(sandbox, uid, again, "ann:send", forged=True)
    assert old["answer"]["text"] == ("This confirmation is out of date: the draft was changed "
                                     "after it. Please use the latest one below.")
    await press_data(sandbox, uid, third, "ann:send")
    received = await wait_reply(sandbox, resident["id"], lambda m: m["text"].startswith("📢"))
    assert received["text"].startswith("📢 Policy news\nNew rules")
    assert labels(received) == []
