"""The idea process: submitting, the author's edits, staff review, publishing, supports, reports.

Plain async Python: it decides, stores and asks for the notices. Staff's actions have one
front door each (change_status, publish, add_note, mark_duplicate, hide, unhide,
save_status), used alike by the bot, the console and the command line: each takes the Actor,
checks them and the idea's state, changes it, writes the audit entry and tells the author
what they are owed. A refused action raises IdeaRefused (a services.refusals.Refused: a text
key and its values) and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.actors import Actor, record_action
from services.audit import AuditLog
from services.ideas.author_notice import AuthorNotices, Told
from services.ideas.board import IdeaBoard
from services.ideas.rules import LIMITS, REPORT_REASONS, IdeaRefused, clean_text
from services.people import PeopleService
from services.texts import Texts
from services.trainings.messenger import TrainingMessenger
from storage.models import Idea, IdeaEvent, IdeaStatus, utcnow
from storage.repositories.ideas import EDITABLE_FIELDS, IdeaRepository, PublicIdea
from storage.timestamps import as_utc

log = logging.getLogger(__name__)

PUBLIC_PAGE_SIZE = 5
MY_IDEAS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class IdeaRules:
    daily_limit: int
    edit_minutes: int
    hide_after_reports: int
    photo_max_bytes: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The idea after a staff change; `notify_author` when a new status was published (the
    author is owed word of it), `author` what became of that word so far."""

    idea: Idea
    notify_author: bool
    author: Told = Told.NOTHING_OWED

    @property
    def told(self) -> bool:
        return self.author == Told.SENT


class IdeaService:
    def __init__(self, ideas: IdeaRepository, rules: IdeaRules, timezone: str, *,
                 audit: AuditLog, board: IdeaBoard, messenger: TrainingMessenger,
                 people: PeopleService, texts: Texts, sends_here: bool,
                 staff_chat_id: int | None = None) -> None:
        """`sends_here`: this process is the running bot, which tells authors of staff
        decisions at once; a command-line run stores what they are owed, and the bot's check
        sends it."""
        self._ideas = ideas
        self._audit = audit
        self.board = board  # the web console's search, export and hiding of ideas
        # The word owed to an idea's author of a staff decision, stored with the decision.
        self.author_notices = AuthorNotices(ideas.notices, ideas, self, people, texts,
                                            messenger)
        self._people = people
        self._texts = texts
        self._sends_here = sends_here
        self.rules = rules
        # The staff group where new ideas are announced (in their own forum topic), if any.
        self.staff_chat_id = staff_chat_id
        self._zone = ZoneInfo(timezone)

    async def _tell_author(self, idea: Idea) -> Told:
        """Sends what the author is owed of the change just stored, where a bot runs here;
        elsewhere (or when it does not get through) the bot's check sends it later."""
        if not self._sends_here:
            return Told.LATER
        return await self.author_notices.send_owed(idea.id)

    # ------------------------------------------------------------------ statuses

    async def statuses(self) -> list[IdeaStatus]:
        return await self._ideas.statuses()

    async def status_names(self, locale: str) -> dict[str, str]:
        return {s.key: s.name_en if locale == "en" else s.name_zh
                for s in await self._ideas.statuses()}

    async def _public_keys(self) -> set[str]:
        return {s.key for s in await self._ideas.statuses() if s.public}

    async def erase_author_details(self, author_id: int) -> int:
        """Part of /forget: removes how to reach the author and their consent to be named."""
        return await self._ideas.erase_author_details(author_id)

    # ------------------------------------------------------------------ submitting

    def local_now(self) -> datetime:
        return utcnow().astimezone(self._zone)

    async def check_daily_limit(self, author_id: int) -> None:
        """Refuses a person who already submitted the day's allowance (local calendar day)."""
        midnight = self.local_now().replace(hour=0, minute=0, second=0, microsecond=0)
        # Compared in UTC: SQLite keeps timestamps as text without their zone.
        count = await self._ideas.count_submitted_since(author_id, midnight.astimezone(UTC))
        if count >= self.rules.daily_limit:
            log.info("idea refused to user %s: daily limit %s reached", author_id,
                     self.rules.daily_limit)
            raise IdeaRefused("ideas.refused.daily_limit", limit=self.rules.daily_limit)

    async def submit(self, author_id: int, draft: dict[str, Any]) -> Idea:
        await self.check_daily_limit(author_id)
        statuses = await self._ideas.statuses()
        fields = {
            "author_id": author_id,
            "title": clean_text("title", draft["title"]),
            "problem": clean_text("problem", draft["problem"]),
            "solution": clean_text("solution", draft["solution"]),
            "street": draft["street"][:32],
            "community": draft["community"][:32],
            "photo_file_id": draft.get("photo"),
            "contact": draft.get("contact"),
            "show_name": bool(draft.get("show_name")),
        }
        edit_until = utcnow() + timedelta(minutes=self.rules.edit_minutes)
        idea = await self._ideas.create(self.local_now().year, fields, statuses[0].key,
                                        edit_until)
        log.info("idea %s submitted by user %s", idea.reference, author_id)
        return idea

    # ------------------------------------------------------------------ the author's side

    async def mine(self, author_id: int) -> list[Idea]:
        return await self._ideas.reading.by_author(author_id, MY_IDEAS_SHOWN)

    def can_edit(self, idea: Idea) -> bool:
        return (idea.withdrawn_at is None and not idea.staff_answered
                and utcnow() < as_utc(idea.edit_until))

    async def can_withdraw(self, idea: Idea) -> bool:
        return idea.withdrawn_at is None and idea.published_status not in (
            await self._public_keys())

    async def own_idea(self, author_id: int, idea_id: int) -> Idea:
        idea = await self._ideas.get(idea_id)
        if idea is None or idea.author_id != author_id:
            log.warning("user %s acted on idea %s that is not theirs", author_id, idea_id)
            raise IdeaRefused("ideas.refused.not_yours")
        return idea

    async def edit(self, author_id: int, idea_id: int, field: str, raw: str | None) -> Idea:
        idea = await self.own_idea(author_id, idea_id)
        if field not in EDITABLE_FIELDS:
            raise IdeaRefused("ideas.refused.not_yours")
        value = clean_text(field, raw)
        if not await self._ideas.edit(idea_id, author_id, field, value, utcnow()):
            raise self._edit_refusal(await self._ideas.get(idea_id) or idea)
        return await self._ideas.get(idea_id) or idea

    def check_editable(self, idea: Idea) -> None:
        if not self.can_edit(idea):
            raise self._edit_refusal(idea)

    def _edit_refusal(self, idea: Idea) -> IdeaRefused:
        log.warning("edit of idea %s refused (withdrawn %s, answered %s, window until %s)",
                    idea.reference, idea.withdrawn_at, idea.staff_answered, idea.edit_until)
        if idea.withdrawn_at is not None:
            return IdeaRefused("ideas.refused.withdrawn", reference=idea.reference)
        return IdeaRefused("ideas.refused.edit_closed", reference=idea.reference,
                           minutes=self.rules.edit_minutes)

    async def withdraw(self, author_id: int, idea_id: int) -> Idea:
        idea = await self.own_idea(author_id, idea_id)
        withdrawable = {s.key for s in await self._ideas.statuses() if not s.public}
        if not await self._ideas.withdraw(idea_id, author_id, withdrawable):
            log.warning("withdrawal of idea %s refused", idea.reference)
            key = ("ideas.refused.withdrawn" if idea.withdrawn_at is not None
                   else "ideas.refused.withdraw_public")
            raise IdeaRefused(key, reference=idea.reference)
        log.info("idea %s withdrawn by its author", idea.reference)
        return await self._ideas.get(idea_id) or idea

    # ------------------------------------------------------------------ staff review

    async def get(self, idea_id: int) -> Idea | None:
        return await self._ideas.get(idea_id)

    async def find(self, reference: str) -> Idea | None:
        return await self._ideas.reading.get_by_reference(reference)

    async def history(self, idea_id: int) -> list[IdeaEvent]:
        return await self._ideas.reading.events(idea_id)

    async def next_in_queue(self, *, status: str | None = None, street: str | None = None,
                            after_id: int = 0) -> Idea | None:
        """The oldest idea after `after_id` awaiting review (open statuses, or hidden)."""
        statuses = [status] if status else [s.key for s in await self._ideas.statuses()
                                            if s.open]
        found = await self._ideas.reading.queue(statuses, street, after_id, 1)
        return found[0] if found else None

    async def _reviewable(self, idea_id: int) -> Idea:
        idea = await self._ideas.get(idea_id)
        if idea is None:
            raise IdeaRefused("ideas.refused.unknown")
        if idea.withdrawn_at is not None:
            log.warning("staff action on withdrawn idea %s refused", idea.reference)
            raise IdeaRefused("ideas.refused.withdrawn", reference=idea.reference)
        return idea

    # Staff's front doors: the bot's /review, the console's idea page (and whatever comes
    # next) call these alone. Each checks who acts and the idea's state, changes it, writes
    # the audit entry and tells the author what they are owed (and says whether it arrived).

    async def change_status(self, actor: Actor, idea_id: int, expected: str, status: str,
                            answer: str | None, publish: bool) -> StatusChange:
        actor.require_staff()
        idea = await self._reviewable(idea_id)
        if status not in {s.key for s in await self._ideas.statuses()} or status == idea.status:
            raise IdeaRefused("ideas.refused.stale")
        if answer is not None:
            answer = clean_text("answer", answer)
        notify = publish and status != idea.published_status
        if not await self._ideas.staff_changes.change_status(
                idea_id, expected, status, answer, publish, actor.telegram_id, notify=notify):
            log.warning("status change of idea %s by %s refused: it is no longer %s",
                        idea.reference, actor.telegram_id, expected)
            raise IdeaRefused("ideas.refused.stale")
        changed = await self._ideas.get(idea_id)
        assert changed is not None
        log.info("idea %s: %s -> %s by %s (published: %s)", idea.reference, expected, status,
                 actor.telegram_id, publish)
        await record_action(self._audit, actor, "ideas.status", idea.reference, {
            "from": expected, "to": status, "published": publish, "answer": answer,
            "notify_author": notify})
        return StatusChange(changed, notify,
                            await self._tell_author(changed) if notify else Told.NOTHING_OWED)

    async def publish(self, actor: Actor, idea_id: int) -> StatusChange:
        actor.require_staff()
        idea = await self._reviewable(idea_id)
        notify = idea.status != idea.published_status
        if not await self._ideas.staff_changes.publish(idea_id, actor.telegram_id,
                                                       notify=notify):
            raise IdeaRefused("ideas.refused.nothing_to_publish")
        changed = await self._ideas.get(idea_id)
        assert changed is not None
        await record_action(self._audit, actor, "ideas.publish", idea.reference, {
            "status": changed.status, "notify_author": notify})
        return StatusChange(changed, notify,
                            await self._tell_author(changed) if notify else Told.NOTHING_OWED)

    async def add_note(self, actor: Actor, idea_id: int, raw: str | None) -> Idea:
        actor.require_staff()
        idea = await self._ideas.get(idea_id)
        if idea is None:
            raise IdeaRefused("ideas.refused.unknown")
        await self._ideas.staff_changes.add_note(idea_id, actor.telegram_id,
                                                 clean_text("note", raw))
        await record_action(self._audit, actor, "ideas.note", idea.reference)
        return idea

    async def mark_duplicate(self, actor: Actor, idea_id: int,
                             reference: str | None) -> tuple[Idea, Idea]:
        """Tells the author it is a duplicate, naming the original."""
        actor.require_staff()
        idea = await self._reviewable(idea_id)
        original = (await self._ideas.reading.get_by_reference(reference)
                    if reference else None)
        if original is None:
            raise IdeaRefused("ideas.refused.no_such_reference")
        if original.id == idea.id:
            raise IdeaRefused("ideas.refused.duplicate_of_itself", reference=idea.reference)
        if not await self._ideas.staff_changes.mark_duplicate(idea_id, original.id,
                                                              actor.telegram_id):
            raise IdeaRefused("ideas.refused.stale")
        log.info("idea %s marked a duplicate of %s by %s", idea.reference, original.reference,
                 actor.telegram_id)
        await record_action(self._audit, actor, "ideas.duplicate", idea.reference,
                            {"original": original.reference})
        await self._tell_author(idea)
        return idea, original

    async def hide(self, actor: Actor, idea_id: int) -> Idea:
        """Takes the idea off the public list until staff show it again (as enough reports
        would)."""
        actor.require_staff()
        if not await self._ideas.staff_changes.hide(idea_id, actor.telegram_id):
            raise IdeaRefused("ideas.refused.stale")
        idea = await self._ideas.get(idea_id)
        assert idea is not None
        await record_action(self._audit, actor, "ideas.hide", idea.reference)
        return idea

    async def unhide(self, actor: Actor, idea_id: int) -> Idea:
        actor.require_staff()
        if not await self._ideas.staff_changes.unhide(idea_id, actor.telegram_id):
            raise IdeaRefused("ideas.refused.stale")
        idea = await self._ideas.get(idea_id)
        assert idea is not None
        await record_action(self._audit, actor, "ideas.show", idea.reference)
        return idea

    async def save_status(self, actor: Actor, status: IdeaStatus) -> None:
        """Adds or changes a review status (`hotline ideas status`)."""
        actor.require_staff()
        await self._ideas.save_status(status)
        await record_action(self._audit, actor, "ideas.status_set", status.key, {
            "zh": status.name_zh, "en": status.name_en, "position": status.position,
            "public": status.public, "open": status.open})

    async def live_card(self, idea_id: int, reviewer_id: int) -> int | None:
        """The message id of the reviewer's live card of the idea (None: none recorded)."""
        return await self._ideas.review_panels.review_panel(idea_id, reviewer_id)

    async def card_shown(self, idea_id: int, reviewer_id: int, message_id: int) -> int | None:
        """Makes a card just shown the reviewer's live one; returns the card it retires."""
        return await self._ideas.review_panels.replace_review_panel(idea_id, reviewer_id,
                                                                    message_id)

    # ------------------------------------------------------------------ the public side

    async def public_page(self, page: int) -> tuple[list[PublicIdea], bool]:
        """One page of published ideas, newest first, and whether another page follows."""
        found = await self._ideas.reading.public(await self._public_keys(), page * PUBLIC_PAGE_SIZE,
                                         PUBLIC_PAGE_SIZE + 1)
        return found[:PUBLIC_PAGE_SIZE], len(found) > PUBLIC_PAGE_SIZE

    async def public_idea(self, idea_id: int) -> PublicIdea:
        idea = await self._ideas.get(idea_id)
        if (idea is None or idea.hidden_at is not None or idea.withdrawn_at is not None
                or idea.duplicate_of_id is not None
                or idea.published_status not in await self._public_keys()):
            raise IdeaRefused("ideas.refused.not_public")
        return PublicIdea(idea, await self._ideas.reading.author_first_name(idea))

    async def support(self, telegram_id: int, idea_id: int) -> tuple[bool, PublicIdea]:
        shown = await self.public_idea(idea_id)
        if shown.idea.author_id == telegram_id:
            # A support counts what others think of the idea; the author's own would inflate it.
            raise IdeaRefused("ideas.refused.own_support", reference=shown.idea.reference)
        added, _count = await self._ideas.support(idea_id, telegram_id)
        return added, await self.public_idea(idea_id)

    async def report(self, telegram_id: int, idea_id: int, reason: str) -> tuple[bool, bool]:
        """Returns whether the report counted and whether it hid the idea."""
        if reason not in REPORT_REASONS:
            raise IdeaRefused("ideas.refused.stale")
        await self.public_idea(idea_id)
        counted, hidden = await self._ideas.report(idea_id, telegram_id, reason,
                                                   self.rules.hide_after_reports)
        if hidden:
            log.warning("idea %s hidden after %s reports", idea_id,
                        self.rules.hide_after_reports)
        return counted, hidden

    # ------------------------------------------------------------------ staff group topic

    async def staff_topic(self, chat_id: int) -> int | None:
        return await self._ideas.staff_topic(chat_id)

    async def remember_staff_topic(self, chat_id: int, thread_id: int) -> None:
        await self._ideas.save_staff_topic(chat_id, thread_id)


__all__ = ["LIMITS", "IdeaRules", "IdeaService", "StatusChange"]
