"""Helpers the idea tests share: a resident going through /idea, staff pressing card buttons."""

from __future__ import annotations

import re

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.actors import Actor
from storage.models import Idea, Role
from tests.driver import press_data, say

REFERENCE = re.compile(r"I-\d{4}-\d{4}")

# The staff member who accepts the ideas tests make public (no sandbox user has this id).
SEEDING_STAFF_ID = 1


async def submit_idea(sandbox: SandboxClient, user_id: int, *, title: str = "Benches",
                      problem: str = "No benches at the bus stop.",
                      solution: str = "Put up two benches.",
                      contact: str | None = "13800000000", show_name: bool = True) -> str:
    """Goes through /idea in English (street and community: the first ones); returns the
    reference the bot gave."""
    await say(sandbox, user_id, "/idea", "1. Give your idea a short title")
    await say(sandbox, user_id, title, "2. What problem")
    await say(sandbox, user_id, problem, "3. What solution")
    streets = await say(sandbox, user_id, solution, "4. Which street")
    communities = await press_data(sandbox, user_id, streets, "ideas:new:street:0", "5. Which")
    photo = await press_data(sandbox, user_id, communities, "ideas:new:comm:0",
                             "6. Send one photo")
    asked = await press_data(sandbox, user_id, photo, "ideas:new:nophoto",
                             "7. May staff contact")
    if contact is None:
        name = await press_data(sandbox, user_id, asked, "ideas:new:nocontact",
                                "8. When the idea")
    else:
        name = await say(sandbox, user_id, contact, "8. When the idea")
    check = await press_data(sandbox, user_id, name, f"ideas:new:name:{int(show_name)}",
                             "Please check your idea")
    saved = await press_data(sandbox, user_id, check, "ideas:new:submit", "Your idea is saved as")
    found = REFERENCE.search(saved["text"])
    assert found is not None, saved["text"]
    return found.group(0)


async def stored(hotline: Hotline, reference: str) -> Idea:
    idea = await hotline.services.ideas.find(reference)
    assert idea is not None
    return idea


async def resident_idea(hotline: Hotline, user_id: int, title: str, *,
                        public: bool = False, show_name: bool = False) -> Idea:
    """An idea stored through the service (for tests about what happens after submitting)."""
    await hotline.services.people.grant(user_id, Role.RESIDENT)
    idea = await hotline.services.ideas.submit(user_id, {
        "title": title, "problem": "A problem.", "solution": "A solution.",
        "street": "太和街道", "community": "太和社区", "contact": "13800000000",
        "show_name": show_name})
    if public:
        # Accepted by a staff member (whose audit row is theirs, not the author's).
        change = await hotline.services.ideas.change_status(
            staff_actor(SEEDING_STAFF_ID), idea.id, "submitted", "accepted", "Good idea.", True)
        return change.idea
    return idea


def staff_actor(telegram_id: int) -> Actor:
    """A staff member acting through the console, for tests that set an idea's state."""
    return Actor.in_console(telegram_id, frozenset({Role.STAFF.value}))
