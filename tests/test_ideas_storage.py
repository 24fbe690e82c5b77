"""Idea storage on SQLite and PostgreSQL: reference numbers, guarded updates, counted once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.settings import SUPPORTED_LOCALES
from services.audit import AuditLog
from services.ideas import IdeaInputError, IdeaRefused, IdeaRules, IdeaService
from services.ideas.board import IdeaBoard
from services.ideas.rules import clean_text, normalise_reference
from services.people import PeopleService
from services.texts import Texts
from services.trainings.messenger import Buttons, SendOutcome, TrainingMessenger
from storage.db import Database
from storage.models import utcnow
from storage.repositories.audit import AuditRepository
from storage.repositories.idea_board import IdeaBoardRepository
from storage.repositories.ideas import IdeaRepository
from storage.repositories.users import UserRepository
from tests.ideas_helpers import staff_actor

FIELDS = {"title": "T", "problem": "P", "solution": "S", "street": "太和街道",
          "community": "太和社区"}

STAFF = staff_actor(9)  # a staff member acting from the console


async def authors(database: Database, *ids: int) -> None:
    users = UserRepository(database)
    for telegram_id in ids:
        await users.ensure_exists(telegram_id, "zh_CN")


class _Unreachable:
    """The outer edge: these tests write to no author."""

    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome:
        return SendOutcome.UNREACHABLE

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome:
        return SendOutcome.UNREACHABLE


class _Recording:
    """The outer edge: every message written to an author, kept for the test to read."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send(self, chat_id: int, html: str, buttons: Buttons = ()) -> SendOutcome:
        self.sent.append((chat_id, html))
        return SendOutcome.SENT

    async def send_file(self, chat_id: int, filename: str, data: bytes,
                        caption_html: str) -> SendOutcome:
        return SendOutcome.SENT


def _service(database: Database, ideas: IdeaRepository,
             messenger: TrainingMessenger | None = None, *,
             sends_here: bool = True) -> IdeaService:
    return IdeaService(ideas, IdeaRules(5, 30, 3, 5_000_000), "Asia/Shanghai",
                       audit=AuditLog(AuditRepository(database)),
                       board=IdeaBoard(IdeaBoardRepository(database), ideas, "Asia/Shanghai"),
                       messenger=messenger or _Unreachable(),
                       people=PeopleService(UserRepository(database), "zh_CN", ()),
                       texts=Texts(SUPPORTED_LOCALES, "zh_CN"), sends_here=sends_here)


async def test_the_staff_doors_tell_the_author_themselves(database: Database) -> None:
    """Issue 12 item 3: the door asks for its notices; no edge sends them. A process with no
    bot (the CLI) tells no one."""
    await authors(database, 1, 2)
    messenger = _Recording()
    service = _service(database, IdeaRepository(database), messenger)
    idea = await service.submit(1, FIELDS)
    quiet = await service.change_status(STAFF, idea.id, "submitted", "under_review", None, False)
    assert not quiet.notify_author and not quiet.told and messenger.sent == []
    published = await service.publish(STAFF, idea.id)
    assert published.notify_author and published.told
    assert [chat for chat, _ in messenger.sent] == [1] and "I-" in messenger.sent[0][1]
    original = await service.submit(2, {**FIELDS, "title": "Earlier"})
    await service.mark_duplicate(STAFF, idea.id, original.reference)
    assert len(messenger.sent) == 2 and original.reference in messenger.sent[1][1]

    offline = _service(database, IdeaRepository(database), messenger, sends_here=False)
    other = await offline.submit(2, FIELDS)
    change = await offline.change_status(STAFF, other.id, "submitted", "accepted", "Yes", True)
    assert change.notify_author and not change.told and len(messenger.sent) == 2


async def test_reference_numbers_are_unique_per_year_even_when_concurrent(
        database: Database) -> None:
    await authors(database, 1)
    ideas = IdeaRepository(database)
    later = utcnow() + timedelta(minutes=30)
    made = await asyncio.gather(*[
        ideas.create(2026, {**FIELDS, "author_id": 1}, "submitted", later) for _ in range(8)])
    assert sorted(i.reference for i in made) == [f"I-2026-{n:04d}" for n in range(1, 9)]
    next_year = await ideas.create(2027, {**FIELDS, "author_id": 1}, "submitted", later)
    assert next_year.reference == "I-2027-0001"


async def test_supports_and_reports_count_once_and_hide_at_the_threshold(
        database: Database) -> None:
    await authors(database, 1, 2, 3, 4)
    ideas = IdeaRepository(database)
    idea = await ideas.create(2026, {**FIELDS, "author_id": 1}, "accepted",
                              utcnow() + timedelta(minutes=30))
    assert await ideas.support(idea.id, 2) == (True, 1)
    assert await ideas.support(idea.id, 2) == (False, 1)
    assert await ideas.support(idea.id, 3) == (True, 2)
    assert await ideas.report(idea.id, 2, "spam", 2) == (True, False)
    assert await ideas.report(idea.id, 2, "spam", 2) == (False, False)
    assert await ideas.report(idea.id, 3, "offensive", 2) == (True, True)
    assert await ideas.report(idea.id, 4, "spam", 2) == (True, False)  # already hidden
    assert (await ideas.get(idea.id)).hidden_at is not None
    assert await ideas.staff_changes.unhide(idea.id, 1)
    assert not await ideas.staff_changes.unhide(idea.id, 1)


async def test_status_changes_expect_the_status_the_reviewer_saw(database: Database) -> None:
    await authors(database, 1, 9)
    service = _service(database, IdeaRepository(database))
    idea = await service.submit(1, FIELDS)
    change = await service.change_status(STAFF, idea.id, "submitted", "under_review", None, False)
    assert not change.notify_author and change.idea.published_status == "submitted"
    with pytest.raises(IdeaRefused, match="stale"):
        await service.change_status(STAFF, idea.id, "submitted", "accepted", None, True)
    published = await service.publish(STAFF, idea.id)
    assert published.notify_author and published.idea.published_status == "under_review"
    with pytest.raises(IdeaRefused, match="nothing_to_publish"):
        await service.publish(STAFF, idea.id)
    with pytest.raises(IdeaRefused, match="edit_closed"):  # staff answered: edits are over
        await service.edit(1, idea.id, "title", "New")
    with pytest.raises(IdeaRefused, match="not_yours"):
        await service.withdraw(9, idea.id)
    await service.withdraw(1, idea.id)
    with pytest.raises(IdeaRefused, match="withdrawn"):
        await service.change_status(STAFF, idea.id, "under_review", "accepted", None, True)


def test_text_is_trimmed_bounded_and_references_normalised() -> None:
    assert clean_text("title", "  Shade \n trees  ") == "Shade trees"
    assert clean_text("problem", " a  b \n\n\n\n c ") == "a b\n\nc"
    with pytest.raises(IdeaInputError, match="too_long"):
        clean_text("title", "x" * 61)
    with pytest.raises(IdeaInputError, match="empty"):
        clean_text("solution", " \n ")
    assert normalise_reference(" i-2026-0042 ") == "I-2026-0042"
    assert normalise_reference("I-26-1") is None


async def test_forget_erases_the_authors_contact_but_keeps_the_idea(database: Database) -> None:
    await authors(database, 1, 2)
    ideas = IdeaRepository(database)
    later = utcnow() + timedelta(minutes=30)
    mine = await ideas.create(2026, {**FIELDS, "author_id": 1, "contact": "13800000000",
                                     "show_name": True}, "submitted", later)
    other = await ideas.create(2026, {**FIELDS, "author_id": 2, "contact": "wx: li"},
                               "submitted", later)
    service = _service(database, ideas)
    assert await service.erase_author_details(1) == 1
    kept = await ideas.get(mine.id)
    assert kept.title == "T" and kept.contact is None and kept.show_name is False
    assert (await ideas.get(other.id)).contact == "wx: li"
